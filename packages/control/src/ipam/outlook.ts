import { Prisma, type PrismaClient } from "@switchyard/db";
import { type PoolPlan, usableInBlock } from "@switchyard/ipam";
import {
  type PoolExhaustionAlert,
  type PoolForecast,
  type PoolOutlook,
  poolExhaustionReasonSchema,
} from "@switchyard/protocol";
import type { Db, ServiceContext } from "../context";
import {
  type BucketCounts,
  type HostBlocks,
  historyWindow,
  type Outlook,
  poolOutlook,
  RATE_WINDOW_MS,
  usageSeries,
} from "./forecast";
import { findPool, type PoolRow, planOf } from "./pool-record";
import { ts } from "./sql";
import { countsOf, type PoolCounts, poolCounts, poolUsageOf } from "./usage";

export interface OutlookSettings {
  /** POOL_EXHAUSTION_HORIZON: alert when the first failure is this close; also how far "nearly full" looks. */
  horizonMs: number;
}

export const defaultOutlookSettings: OutlookSettings = { horizonMs: RATE_WINDOW_MS };

interface HostRow {
  poolId: string;
  hostId: string | null;
  held: number;
  allocatedSince: number;
  releasedSince: number;
}

type AlertRow = Prisma.PoolExhaustionAlertModel;

/** Per pool: what its block owners hold and took recently, and its open episode. Two grouped queries. */
export interface OutlookExtras {
  hosts: Map<string, HostRow[]>;
  alerts: Map<string, AlertRow>;
}

export async function outlookExtras(
  db: Db | PrismaClient,
  poolIds: readonly string[] | "all",
  now: Date,
): Promise<OutlookExtras> {
  const since = new Date(now.getTime() - RATE_WINDOW_MS);
  const only = poolIds === "all" ? Prisma.sql`TRUE` : Prisma.sql`a."poolId" = ANY(${[...poolIds]}::text[])`;
  // Counted by the owner of the block an address is in (not by who asked): that is whose room it takes.
  const [hostRows, alertRows] = await Promise.all([
    db.$queryRaw<HostRow[]>`
      SELECT a."poolId", b."hostId",
        count(*) FILTER (WHERE a."heldOffset" IS NOT NULL
                           AND (a."releasedAt" IS NULL OR a."reusableAt" > ${ts(now)}))::int AS held,
        count(*) FILTER (WHERE a."allocatedAt" >= ${ts(since)} AND a."allocatedAt" <= ${ts(now)})::int AS "allocatedSince",
        count(*) FILTER (WHERE a."releasedAt" >= ${ts(since)} AND a."releasedAt" <= ${ts(now)})::int AS "releasedSince"
      FROM "AddressAllocation" a
      JOIN "AddressBlock" b ON b."poolId" = a."poolId" AND b."index" = a."blockIndex"
      WHERE ${only} AND (a."heldOffset" IS NOT NULL OR a."allocatedAt" >= ${ts(since)}
                          OR a."releasedAt" >= ${ts(since)})
      GROUP BY a."poolId", b."hostId"`,
    db.poolExhaustionAlert.findMany({
      where: poolIds === "all" ? { activeKey: { not: null } } : { activeKey: { in: [...poolIds] } },
    }),
  ]);
  const hosts = new Map<string, HostRow[]>();
  for (const row of hostRows) {
    const list = hosts.get(row.poolId) ?? [];
    list.push(row);
    hosts.set(row.poolId, list);
  }
  return { hosts, alerts: new Map(alertRows.map((a) => [a.poolId, a])) };
}

/** The outlook of one pool from its grouped counts. */
export function outlookOf(
  pool: PoolRow,
  plan: PoolPlan,
  counts: PoolCounts,
  extras: OutlookExtras,
  now: Date,
  settings: OutlookSettings,
): Outlook {
  const usage = poolUsageOf(plan, counts);
  const since = now.getTime() - RATE_WINDOW_MS;
  const hosts = new Map<string | null, HostBlocks>();
  for (const b of counts.blocks) {
    let h = hosts.get(b.hostId);
    if (!h) {
      h = { hostId: b.hostId, hostName: b.hostName, blocks: 0, capacity: 0, held: 0, netInWindow: 0 };
      hosts.set(b.hostId, h);
    }
    h.blocks += 1;
    h.capacity += Number(usableInBlock(plan.layout, BigInt(b.index), plan.reserved));
  }
  for (const row of extras.hosts.get(pool.id) ?? []) {
    const h = hosts.get(row.hostId);
    if (!h) continue;
    h.held = row.held;
    h.netInWindow = row.allocatedSince - row.releasedSince;
  }
  return poolOutlook({
    now,
    createdAt: pool.createdAt,
    horizonMs: settings.horizonMs,
    allowBorrow: pool.allowBorrow,
    free: BigInt(usage.free),
    blocksFree: BigInt(usage.blocksFree),
    netInWindow: counts.allocatedSince - counts.releasedSince,
    blocksClaimedInWindow: counts.blocks.filter((b) => b.claimedAtMs >= since).length,
    hosts: [...hosts.values()],
  });
}

/** The outlook without its per-host list (what list rows and alerts carry). */
export const outlookSummary = ({ hosts: _hosts, ...outlook }: Outlook): PoolOutlook => outlook;

export function alertDto(row: AlertRow | undefined): PoolExhaustionAlert | null {
  if (!row) return null;
  return {
    id: row.id,
    raisedAt: row.raisedAt.toISOString(),
    failsAt: row.failsAt.toISOString(),
    reason: poolExhaustionReasonSchema.catch("addresses").parse(row.reason),
  };
}

/**
 * Usage over time (active addresses per bucket, aggregated in PostgreSQL: one row per bucket, however
 * many allocations), the forecast and every host's blocks. Seven queries.
 */
export async function poolForecast(
  ctx: ServiceContext,
  ref: string,
  settings: OutlookSettings = defaultOutlookSettings,
): Promise<PoolForecast> {
  const now = ctx.now();
  const pool = await findPool(ctx.prisma, { poolId: ref });
  const plan = planOf(pool);
  const window = historyWindow(pool.createdAt, now);
  const start = ts(window.start);
  const bucket = (column: Prisma.Sql) =>
    Prisma.sql`floor(extract(epoch FROM (${column} - ${start})) * 1000 / ${window.bucketMs})::int`;
  const [buckets, counts, extras] = await Promise.all([
    ctx.prisma.$queryRaw<(BucketCounts & { heldAtStart: number })[]>`
      WITH a AS (
        SELECT ${bucket(Prisma.sql`"allocatedAt"`)} AS i, count(*)::int AS n FROM "AddressAllocation"
        WHERE "poolId" = ${pool.id} AND "allocatedAt" >= ${start} AND "allocatedAt" < ${ts(now)} GROUP BY 1
      ), r AS (
        SELECT ${bucket(Prisma.sql`"releasedAt"`)} AS i, count(*)::int AS n FROM "AddressAllocation"
        WHERE "poolId" = ${pool.id} AND "releasedAt" >= ${start} AND "releasedAt" < ${ts(now)} GROUP BY 1
      )
      SELECT s.i AS "index", coalesce(a.n, 0) AS allocated, coalesce(r.n, 0) AS released,
        (SELECT count(*)::int FROM "AddressAllocation"
         WHERE "poolId" = ${pool.id} AND "allocatedAt" < ${start}
           AND ("releasedAt" IS NULL OR "releasedAt" >= ${start})) AS "heldAtStart"
      FROM generate_series(0, ${window.buckets - 1}::int) AS s(i)
      LEFT JOIN a ON a.i = s.i LEFT JOIN r ON r.i = s.i
      WHERE a.n IS NOT NULL OR r.n IS NOT NULL OR s.i = 0
      ORDER BY s.i`,
    poolCounts(ctx.prisma, [pool.id], now),
    outlookExtras(ctx.prisma, [pool.id], now),
  ]);
  const c = countsOf(counts, pool.id);
  const usage = poolUsageOf(plan, c);
  const { hosts, ...outlook } = outlookOf(pool, plan, c, extras, now, settings);
  return {
    pool: { id: pool.id, name: pool.name, cidr: pool.cidr, allowBorrow: pool.allowBorrow },
    horizonSeconds: Math.round(settings.horizonMs / 1000),
    usable: usage.usable,
    free: usage.free,
    blocksTotal: usage.blocksTotal,
    blocksFree: usage.blocksFree,
    series: {
      start: window.start.toISOString(),
      bucketSeconds: window.bucketMs / 1000,
      points: usageSeries(window, buckets[0]?.heldAtStart ?? 0, buckets),
    },
    outlook,
    hosts,
    alert: alertDto(extras.alerts.get(pool.id)),
  };
}
