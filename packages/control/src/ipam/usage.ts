import { Prisma, type PrismaClient } from "@switchyard/db";
import { blockRange, formatOffset, type PoolPlan, usableInBlock } from "@switchyard/ipam";
import type { PoolBlock, PoolUsage } from "@switchyard/protocol";
import type { Db } from "../context";
import { RATE_WINDOW_MS } from "./forecast";
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

/** What the database knows of one pool's use: its blocks and its held addresses, in total and per host. */
export interface PoolCounts {
  blocks: { index: string; hostId: string | null; hostName: string | null; claimedAtMs: number }[];
  /** Addresses ever handed out. */
  total: number;
  allocated: number;
  cooling: number;
  /** Allocated and released since `since` (the forecast's rate window). */
  allocatedSince: number;
  releasedSince: number;
  allocatedByHost: { hostId: string | null; hostName: string | null; n: number }[];
}

const emptyCounts = (): PoolCounts => ({
  blocks: [],
  total: 0,
  allocated: 0,
  cooling: 0,
  allocatedSince: 0,
  releasedSince: 0,
  allocatedByHost: [],
});

export const countsOf = (counts: ReadonlyMap<string, PoolCounts>, poolId: string): PoolCounts =>
  counts.get(poolId) ?? emptyCounts();

/**
 * The counts of the given pools (every pool with `"all"`) in three grouped queries, whatever the number
 * of pools: `/pools` used to ask three questions per pool. A pool without blocks or allocations has no
 * entry (`countsOf` gives its zeros). `since` (default: 24 h ago) starts the window of the recent counts.
 */
export async function poolCounts(
  db: Db | PrismaClient,
  poolIds: readonly string[] | "all",
  now: Date,
  since: Date = new Date(now.getTime() - RATE_WINDOW_MS),
): Promise<Map<string, PoolCounts>> {
  const out = new Map<string, PoolCounts>();
  if (poolIds !== "all" && poolIds.length === 0) return out;
  const only = (column: Prisma.Sql) =>
    poolIds === "all" ? Prisma.sql`TRUE` : Prisma.sql`${column} = ANY(${[...poolIds]}::text[])`;
  const [blocks, held, byHost] = await Promise.all([
    db.$queryRaw<
      { poolId: string; index: string; hostId: string | null; hostName: string | null; claimedAtMs: number }[]
    >`
      SELECT b."poolId", b."index"::text AS "index", b."hostId", h."name" AS "hostName",
        (extract(epoch FROM b."claimedAt") * 1000)::float8 AS "claimedAtMs"
      FROM "AddressBlock" b LEFT JOIN "Host" h ON h."id" = b."hostId"
      WHERE ${only(Prisma.sql`b."poolId"`)} ORDER BY b."poolId", b."index"`,
    db.$queryRaw<
      {
        poolId: string;
        total: number;
        allocated: number;
        cooling: number;
        allocatedSince: number;
        releasedSince: number;
      }[]
    >`
      SELECT "poolId", count(*)::int AS total,
        count(*) FILTER (WHERE "heldOffset" IS NOT NULL AND "releasedAt" IS NULL)::int AS allocated,
        count(*) FILTER (WHERE "heldOffset" IS NOT NULL AND "releasedAt" IS NOT NULL
                           AND "reusableAt" > ${ts(now)})::int AS cooling,
        count(*) FILTER (WHERE "allocatedAt" >= ${ts(since)} AND "allocatedAt" <= ${ts(now)})::int AS "allocatedSince",
        count(*) FILTER (WHERE "releasedAt" >= ${ts(since)} AND "releasedAt" <= ${ts(now)})::int AS "releasedSince"
      FROM "AddressAllocation" WHERE ${only(Prisma.sql`"poolId"`)} GROUP BY "poolId"`,
    db.$queryRaw<{ poolId: string; hostId: string | null; hostName: string | null; n: number }[]>`
      SELECT a."poolId", a."hostId", h."name" AS "hostName", count(*)::int AS n
      FROM "AddressAllocation" a LEFT JOIN "Host" h ON h."id" = a."hostId"
      WHERE a."heldOffset" IS NOT NULL AND a."releasedAt" IS NULL AND ${only(Prisma.sql`a."poolId"`)}
      GROUP BY a."poolId", a."hostId", h."name"`,
  ]);
  const of = (poolId: string) => {
    let c = out.get(poolId);
    if (!c) {
      c = emptyCounts();
      out.set(poolId, c);
    }
    return c;
  };
  for (const { poolId, ...block } of blocks) of(poolId).blocks.push(block);
  for (const { poolId, ...h } of held) Object.assign(of(poolId), h);
  for (const { poolId, ...row } of byHost) of(poolId).allocatedByHost.push(row);
  return out;
}

/** Blocks, allocated addresses and capacity per host (hosts with allocations but no block too), by name. */
function perHostUsage(plan: PoolPlan, counts: PoolCounts): PoolUsage["hosts"] {
  const hosts = new Map<string | null, PoolUsage["hosts"][number]>();
  const entry = (hostId: string | null, hostName: string | null) => {
    let h = hosts.get(hostId);
    if (!h) {
      h = { hostId, hostName, blocks: 0, allocated: 0, capacity: 0 };
      hosts.set(hostId, h);
    }
    return h;
  };
  for (const b of counts.blocks) {
    const h = entry(b.hostId, b.hostName);
    h.blocks += 1;
    h.capacity += Number(usableInBlock(plan.layout, BigInt(b.index), plan.reserved));
  }
  for (const a of counts.allocatedByHost) entry(a.hostId, a.hostName).allocated = a.n;
  return [...hosts.values()].sort((a, b) =>
    (a.hostName ?? a.hostId ?? "").localeCompare(b.hostName ?? b.hostId ?? ""),
  );
}

/** Used and free addresses, blocks claimed and free, and blocks per host, from the pool's counts. */
export function poolUsageOf(plan: PoolPlan, counts: PoolCounts): PoolUsage {
  const free = plan.usable - BigInt(counts.allocated + counts.cooling);
  return {
    size: plan.cidr.size.toString(),
    usable: plan.usable.toString(),
    allocated: counts.allocated,
    coolingDown: counts.cooling,
    free: (free < 0n ? 0n : free).toString(),
    blocksTotal: plan.layout.blockCount.toString(),
    blocksClaimed: counts.blocks.length,
    blocksFree: (plan.layout.blockCount - BigInt(counts.blocks.length)).toString(),
    hosts: perHostUsage(plan, counts),
  };
}
