import type { Actor } from "../audit";
import type { ServiceContext } from "../context";
import { DomainError } from "../errors";
import { allocateAddress, releaseAddress, releaseAllocation } from "../ipam";

export interface AllocateRequest {
  poolId: string;
  hostId: string;
  networkId: string;
  attachmentId: string;
  address?: string | undefined;
  stickyKey?: string | undefined;
  reason?: string | undefined;
}

export interface AllocatedAddress {
  allocationId: string | null;
  address: string;
  prefixLength: number;
}

export interface ReleaseRequest {
  poolId: string;
  allocationId: string | null;
  address: string;
  reason: string;
}

/**
 * Where attachments get their addresses. The IPAM service allocates and releases in transactions of
 * its own (per-host advisory lock, retries), so an attach is two steps: allocate, then one transaction
 * writing attachment + operation + serial; if that transaction fails the address is released again
 * (compensation; it then cools down like any released address).
 */
export interface AddressAllocator {
  allocate(ctx: ServiceContext, actor: Actor, req: AllocateRequest): Promise<AllocatedAddress>;
  /** Releases the allocation if it still holds the address; no-op when it was already released. */
  release(ctx: ServiceContext, actor: Actor, req: ReleaseRequest): Promise<void>;
}

export const ipamAllocator: AddressAllocator = {
  async allocate(ctx, actor, req) {
    const a = await allocateAddress(ctx, actor, {
      poolId: req.poolId,
      hostId: req.hostId,
      networkId: req.networkId,
      endpointId: req.attachmentId,
      ...(req.address ? { address: req.address } : {}),
      ...(req.stickyKey ? { stickyKey: req.stickyKey } : {}),
      ...(req.reason ? { reason: req.reason } : {}),
    });
    return { allocationId: a.id, address: a.address, prefixLength: a.prefix };
  },
  async release(ctx, actor, req) {
    try {
      // By allocation id: only while OUR allocation still holds the address (once on-call staff released
      // it and it went to someone else, releasing "the address" would take it from its new holder).
      if (req.allocationId) await releaseAllocation(ctx, actor, req.allocationId, req.reason);
      else await releaseAddress(ctx, actor, { poolId: req.poolId, address: req.address, reason: req.reason });
    } catch (err) {
      if (err instanceof DomainError && (err.code === "conflict" || err.code === "not_found")) return;
      throw err;
    }
  },
};
