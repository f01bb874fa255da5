import type { Actor } from "../audit";
import type { ServiceContext } from "../context";
import { DomainError } from "../errors";
import { releaseAddress, releaseAllocation } from "../ipam";

interface ReleaseRequest {
  /** The attachment whose detach finished: it lets go of its own address. */
  attachmentId: string;
  poolId: string;
  allocationId: string | null;
  address: string;
  reason: string;
}

/**
 * How a finished detach gives its address back: releases the allocation if it still holds the address, a
 * no-op when it was already released. Attach allocates inside its own transaction
 * (`allocateInOpenTransaction`), so releasing is the only step that stands alone.
 */
export async function releaseDetachedAddress(
  ctx: ServiceContext,
  actor: Actor,
  req: ReleaseRequest,
): Promise<void> {
  try {
    // By allocation id: only while OUR allocation still holds the address (once on-call staff released
    // it and it went to someone else, releasing "the address" would take it from its new holder).
    if (req.allocationId) await releaseAllocation(ctx, actor, req.allocationId, req.reason, req.attachmentId);
    else
      await releaseAddress(ctx, actor, {
        poolId: req.poolId,
        address: req.address,
        reason: req.reason,
        forAttachmentId: req.attachmentId,
      });
  } catch (err) {
    if (err instanceof DomainError && (err.code === "conflict" || err.code === "not_found")) return;
    throw err;
  }
}
