import type { PrismaClient } from "@switchyard/db";
import { blockRange, formatOffset, type PoolPlan, usableInBlock } from "@switchyard/ipam";
import type { PoolBlock, PoolUsage } from "@switchyard/protocol";
import type { Db } from "../context";
import type { PoolRow } from "./pool-record";
import { ts } from "./sql";

interface BlockStats {
  index: string;
  hostId: string | null;
  hostName: string | null;
  claimedAtMs: number;
  emptySinceMs: number | null;
  allocated: number;
  cooling: number;
}

/** Every claimed block of a pool with its owner and how full it is, lowest index first. */
export async function blockStats(db: Db | PrismaClient, poolId: string, now: Date): Promise<BlockStats[]> {
  return db.$queryRaw<BlockStats[]>`
    SELECT b."index"::text AS "index", b."hostId", h."name" AS "hostName",
      (extract(epoch FROM b."claimedAt") * 1000)::float8 AS "claimedAtMs",
      (extract(epoch FROM b."emptySince") * 1000)::float8 AS "emptySinceMs",
      count(a."id") FILTER (WHERE a."releasedAt" IS NULL)::int AS "allocated",
      count(a."id") FILTER (WHERE a."releasedAt" IS NOT NULL AND a."reusableAt" > ${ts(now)})::int AS "cooling"
    FROM "AddressBlock" b
    LEFT JOIN "Host" h ON h."id" = b."hostId"
    LEFT JOIN "AddressAllocation" a
      ON a."poolId" = b."poolId" AND a."blockIndex" = b."index" AND a."heldOffset" IS NOT NULL
    WHERE b."poolId" = ${poolId}
    GROUP BY b."id", h."name"
    ORDER BY b."index"`;
}

/** Held addresses of a pool (active and cooling), wherever they are. */
async function heldCounts(db: Db | PrismaClient, poolId: string, now: Date) {
  const [row] = await db.$queryRaw<{ allocated: number; cooling: number }[]>`
    SELECT count(*) FILTER (WHERE "releasedAt" IS NULL)::int AS allocated,
           count(*) FILTER (WHERE "releasedAt" IS NOT NULL AND "reusableAt" > ${ts(now)})::int AS cooling
    FROM "AddressAllocation" WHERE "poolId" = ${poolId} AND "heldOffset" IS NOT NULL`;
  return { allocated: row?.allocated ?? 0, cooling: row?.cooling ?? 0 };
}

async function allocatedByHost(db: Db | PrismaClient, poolId: string): Promise<Map<string | null, number>> {
  const rows = await db.$queryRaw<{ hostId: string | null; n: number }[]>`
    SELECT "hostId", count(*)::int AS n FROM "AddressAllocation"
    WHERE "poolId" = ${poolId} AND "heldOffset" IS NOT NULL AND "releasedAt" IS NULL GROUP BY "hostId"`;
  return new Map(rows.map((r) => [r.hostId, r.n]));
}

export function toPoolBlocks(plan: PoolPlan, stats: readonly BlockStats[]): PoolBlock[] {
  return stats.map((s) => {
    const index = BigInt(s.index);
    const range = blockRange(plan.layout, index);
    return {
      index: s.index,
      first: formatOffset(plan.cidr, range.first),
      last: formatOffset(plan.cidr, range.last),
      hostId: s.hostId,
      hostName: s.hostName,
      claimedAt: new Date(s.claimedAtMs).toISOString(),
      emptySince: s.emptySinceMs === null ? null : new Date(s.emptySinceMs).toISOString(),
      allocated: s.allocated,
      coolingDown: s.cooling,
      usable: Number(usableInBlock(plan.layout, index, plan.reserved)),
    };
  });
}

/** Used and free addresses, blocks claimed and free, and blocks per host. */
export async function poolUsage(
  db: Db | PrismaClient,
  pool: PoolRow,
  plan: PoolPlan,
  now: Date,
  stats?: readonly BlockStats[],
): Promise<PoolUsage> {
  const blocks = stats ?? (await blockStats(db, pool.id, now));
  const held = await heldCounts(db, pool.id, now);
  const perHostAllocated = await allocatedByHost(db, pool.id);
  const hosts = new Map<string | null, { hostName: string | null; blocks: number; capacity: number }>();
  for (const b of blocks) {
    const entry = hosts.get(b.hostId) ?? { hostName: b.hostName, blocks: 0, capacity: 0 };
    entry.blocks += 1;
    entry.capacity += Number(usableInBlock(plan.layout, BigInt(b.index), plan.reserved));
    hosts.set(b.hostId, entry);
  }
  for (const hostId of perHostAllocated.keys()) {
    if (!hosts.has(hostId)) hosts.set(hostId, { hostName: null, blocks: 0, capacity: 0 });
  }
  const free = plan.usable - BigInt(held.allocated + held.cooling);
  return {
    size: plan.cidr.size.toString(),
    usable: plan.usable.toString(),
    allocated: held.allocated,
    coolingDown: held.cooling,
    free: (free < 0n ? 0n : free).toString(),
    blocksTotal: plan.layout.blockCount.toString(),
    blocksClaimed: blocks.length,
    blocksFree: (plan.layout.blockCount - BigInt(blocks.length)).toString(),
    hosts: [...hosts.entries()]
      .map(([hostId, h]) => ({
        hostId,
        hostName: h.hostName,
        blocks: h.blocks,
        allocated: perHostAllocated.get(hostId) ?? 0,
        capacity: h.capacity,
      }))
      .sort((a, b) => (a.hostName ?? a.hostId ?? "").localeCompare(b.hostName ?? b.hostId ?? "")),
  };
}
