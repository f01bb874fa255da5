import type { ServiceContext } from "../context";
import { lockHostInPool } from "./block-claims";
import { ts } from "./sql";
import { TX_OPTIONS } from "./tx";

/**
 * Returns to the pool every block that has been empty for its pool's grace period and holds no
 * address (active or cooling down). Run periodically (under the jobs' advisory lock or not: each block
 * is re-checked under its owner's lock, so concurrent sweeps and allocations are safe). Returns the count.
 */
export async function returnEmptyBlocks(ctx: ServiceContext): Promise<number> {
  const now = ctx.now();
  // Blocks of deleted hosts start their grace period once nothing active is left in them.
  await ctx.prisma.$executeRaw`
    UPDATE "AddressBlock" b SET "emptySince" = ${ts(now)}
    WHERE b."hostId" IS NULL AND b."emptySince" IS NULL AND NOT EXISTS (
      SELECT 1 FROM "AddressAllocation" a WHERE a."poolId" = b."poolId" AND a."blockIndex" = b."index"
        AND a."heldOffset" IS NOT NULL AND a."releasedAt" IS NULL)`;
  const candidates = await ctx.prisma.$queryRaw<{ id: string; poolId: string; hostId: string | null }[]>`
    SELECT b."id", b."poolId", b."hostId" FROM "AddressBlock" b JOIN "AddressPool" p ON p."id" = b."poolId"
    WHERE b."emptySince" IS NOT NULL
      AND b."emptySince" + make_interval(secs => p."blockGraceSeconds") <= ${ts(now)}`;
  let returned = 0;
  for (const block of candidates) {
    returned += await ctx.prisma.$transaction(async (tx) => {
      if (block.hostId) await lockHostInPool(tx, block.poolId, block.hostId);
      // Expired cooldowns of this block stop holding their addresses, then the block goes if nothing is held.
      await tx.$executeRaw`
        UPDATE "AddressAllocation" a SET "heldOffset" = NULL FROM "AddressBlock" b
        WHERE b."id" = ${block.id} AND a."poolId" = b."poolId" AND a."blockIndex" = b."index"
          AND a."heldOffset" IS NOT NULL AND a."releasedAt" IS NOT NULL AND a."reusableAt" <= ${ts(now)}`;
      return tx.$executeRaw`
        DELETE FROM "AddressBlock" b USING "AddressPool" p
        WHERE b."id" = ${block.id} AND p."id" = b."poolId" AND b."emptySince" IS NOT NULL
          AND b."emptySince" + make_interval(secs => p."blockGraceSeconds") <= ${ts(now)}
          AND NOT EXISTS (SELECT 1 FROM "AddressAllocation" a
            WHERE a."poolId" = b."poolId" AND a."blockIndex" = b."index" AND a."heldOffset" IS NOT NULL)`;
    }, TX_OPTIONS);
  }
  return returned;
}
