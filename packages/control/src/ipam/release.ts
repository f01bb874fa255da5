import { blockOfOffset, canonicalAddress, offsetIn, reusableAt } from "@switchyard/ipam";
import { ACTIVE_ATTACHMENT_STATUSES, type Allocation } from "@switchyard/protocol";
import { type Actor, actorLabel, recordAudit } from "../audit";
import type { ServiceContext } from "../context";
import { conflict, DomainError, notFound } from "../errors";
import { toAllocationDto } from "./allocation-dto";
import { lockHostInPool } from "./block-claims";
import { findPool, planOf } from "./pool-record";
import { withRetry } from "./retry";
import { num, ts } from "./sql";
import { TX_OPTIONS } from "./tx";

export interface ReleaseInput {
  poolId?: string;
  pool?: string;
  address: string;
  reason: string;
  /**
   * The attachment letting go of its own address (its detach finished). Without it, an address that
   * a live attachment holds is refused: released under it, the pool would hand it to a second container.
   */
  forAttachmentId?: string;
}

/**
 * Releases a held address: records who, when and why, and starts its cooldown (the address is not
 * handed to anyone else before `reusableAt`). When the block has no active address left it starts its
 * grace period (see `returnEmptyBlocks`).
 */
export async function releaseAddress(
  ctx: ServiceContext,
  actor: Actor,
  input: ReleaseInput,
): Promise<Allocation> {
  const pool = await findPool(ctx.prisma, input);
  const plan = planOf(pool);
  let offset: bigint;
  try {
    offset = offsetIn(plan, input.address);
  } catch {
    throw new DomainError(
      "validation_failed",
      `${input.address} is not an address of pool ${pool.name} (${pool.cidr})`,
      "address",
    );
  }
  const address = canonicalAddress(input.address);
  const block = blockOfOffset(plan, offset);
  const by = actorLabel(actor);
  const id = await withRetry(() =>
    ctx.prisma.$transaction(async (tx) => {
      const now = ctx.now();
      // Take the block owner's lock so "block became empty" is decided in order with its allocations.
      const owner = await tx.addressBlock.findUnique({
        where: { poolId_index: { poolId: pool.id, index: block.toString() } },
        select: { hostId: true },
      });
      if (owner?.hostId) await lockHostInPool(tx, pool.id, owner.hostId);
      const [held] = await tx.$queryRaw<{ id: string; released: boolean }[]>`
        SELECT "id", "releasedAt" IS NOT NULL AS released FROM "AddressAllocation"
        WHERE "poolId" = ${pool.id} AND "heldOffset" = ${num(offset)} FOR UPDATE`;
      if (!held) throw notFound(`allocation of ${address} in pool ${pool.name}`, "address");
      if (held.released)
        throw conflict(`${address} in pool ${pool.name} is already released`, "address", {
          allocationId: held.id,
        });
      const holder = await tx.attachment.findFirst({
        where: {
          allocationId: held.id,
          status: { in: [...ACTIVE_ATTACHMENT_STATUSES] },
          ...(input.forAttachmentId ? { id: { not: input.forAttachmentId } } : {}),
        },
        include: { host: { select: { name: true } } },
      });
      if (holder)
        throw conflict(
          `${address} in pool ${pool.name} is held by attachment ${holder.id} (${holder.containerRuntime}:${holder.containerRef} ${holder.ifname} on host ${holder.host.name}, ${holder.status}); detach it, or release it as a leak when its container is gone`,
          "address",
          { allocationId: held.id, attachmentId: holder.id },
        );
      const until = reusableAt(now, pool.cooldownSeconds);
      await tx.addressAllocation.update({
        where: { id: held.id },
        data: { releasedAt: now, reusableAt: until, releasedBy: by, releaseReason: input.reason },
      });
      await tx.$executeRaw`
        UPDATE "AddressBlock" SET "emptySince" = ${ts(now)}
        WHERE "poolId" = ${pool.id} AND "index" = ${num(block)} AND NOT EXISTS (
          SELECT 1 FROM "AddressAllocation"
          WHERE "poolId" = ${pool.id} AND "blockIndex" = ${num(block)} AND "heldOffset" IS NOT NULL AND "releasedAt" IS NULL)`;
      await recordAudit(tx, {
        actor,
        action: "ipam.release",
        targetType: "allocation",
        targetId: held.id,
        reason: input.reason,
        details: { pool: pool.name, address, reusableAt: until.toISOString() },
        at: now,
      });
      return held.id;
    }, TX_OPTIONS),
  );
  const row = await ctx.prisma.addressAllocation.findUniqueOrThrow({ where: { id } });
  return toAllocationDto(row, pool, ctx.now());
}

/** Releases by allocation id (what an endpoint keeps): the same as releasing its address in its pool. */
export async function releaseAllocation(
  ctx: ServiceContext,
  actor: Actor,
  allocationId: string,
  reason: string,
  forAttachmentId?: string,
): Promise<Allocation> {
  const row = await ctx.prisma.addressAllocation.findUnique({ where: { id: allocationId } });
  if (!row) throw notFound(`allocation ${allocationId}`, "allocationId");
  if (row.heldOffset === null || row.releasedAt) {
    throw conflict(`allocation ${allocationId} (${row.address}) is already released`, "allocationId", {
      address: row.address,
      releasedAt: row.releasedAt?.toISOString() ?? null,
    });
  }
  return releaseAddress(ctx, actor, {
    poolId: row.poolId,
    address: row.address,
    reason,
    ...(forAttachmentId ? { forAttachmentId } : {}),
  });
}
