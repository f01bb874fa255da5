import { DomainError } from "../errors";
import type { AllocationRequest } from "./block-claims";
import { ts } from "./sql";

/** pool_exhausted with the counts an operator needs to decide (grow the pool, release leaks, allow borrowing). */
export async function exhaustedError(req: AllocationRequest): Promise<DomainError> {
  const [addr] = await req.tx.$queryRaw<{ allocated: number; cooling: number }[]>`
    SELECT count(*) FILTER (WHERE "releasedAt" IS NULL)::int AS allocated,
           count(*) FILTER (WHERE "releasedAt" IS NOT NULL AND "reusableAt" > ${ts(req.now)})::int AS cooling
    FROM "AddressAllocation" WHERE "poolId" = ${req.pool.id} AND "heldOffset" IS NOT NULL`;
  const [blocks] = await req.tx.$queryRaw<{ claimed: number; mine: number }[]>`
    SELECT count(*)::int AS claimed, count(*) FILTER (WHERE "hostId" = ${req.hostId})::int AS mine
    FROM "AddressBlock" WHERE "poolId" = ${req.pool.id}`;
  const details = {
    pool: req.pool.name,
    cidr: req.pool.cidr,
    size: req.plan.cidr.size.toString(),
    usable: req.plan.usable.toString(),
    allocated: addr?.allocated ?? 0,
    coolingDown: addr?.cooling ?? 0,
    blocksTotal: req.plan.layout.blockCount.toString(),
    blocksClaimed: blocks?.claimed ?? 0,
    hostBlocks: blocks?.mine ?? 0,
    allowBorrow: req.pool.allowBorrow,
  };
  return new DomainError(
    "pool_exhausted",
    `pool ${req.pool.name} (${req.pool.cidr}) is exhausted: ${details.allocated} of ${details.usable} usable addresses allocated, ` +
      `${details.coolingDown} cooling down, ${details.blocksClaimed} of ${details.blocksTotal} blocks claimed ` +
      `(${details.hostBlocks} by this host, all full)${req.pool.allowBorrow ? "" : "; borrowing is off"}`,
    undefined,
    details,
  );
}
