import type { Allocation, PageQuery, PoolDetail, PoolList } from "@switchyard/protocol";
import type { ServiceContext } from "../context";
import { byNamePage, firstPage, nameKey, pageOf } from "../paging";
import { toAllocationDto } from "./allocation-dto";
import {
  alertDto,
  defaultOutlookSettings,
  type OutlookSettings,
  outlookExtras,
  outlookOf,
  outlookSummary,
} from "./outlook";
import { findPool, planOf, toPoolDto } from "./pool-record";
import { blockStats, countsOf, poolCounts, poolUsageOf, toPoolBlocks } from "./usage";

/** One page of pools by name, each with its usage, forecast and open alert: six queries for the whole page. */
export async function listPools(
  ctx: ServiceContext,
  page: PageQuery = firstPage,
  settings: OutlookSettings = defaultOutlookSettings,
): Promise<PoolList> {
  const now = ctx.now();
  const rows = await ctx.prisma.addressPool.findMany(byNamePage(page));
  const { items, nextCursor } = pageOf(rows, page.limit, nameKey);
  const ids = items.map((p) => p.id);
  const [counts, extras] = await Promise.all([
    poolCounts(ctx.prisma, ids, now),
    outlookExtras(ctx.prisma, ids, now),
  ]);
  return {
    pools: items.map((pool) => {
      return poolSummary(pool, planOf(pool), countsOf(counts, pool.id), extras, now, settings);
    }),
    nextCursor,
  };
}

/** A pool as the list and its page show it: its settings, usage, forecast and open alert. */
function poolSummary(
  pool: Parameters<typeof toPoolDto>[0],
  plan: ReturnType<typeof planOf>,
  c: ReturnType<typeof countsOf>,
  extras: Parameters<typeof outlookOf>[3],
  now: Date,
  settings: OutlookSettings,
) {
  return {
    ...toPoolDto(pool, plan),
    usage: poolUsageOf(plan, c),
    outlook: outlookSummary(outlookOf(pool, plan, c, extras, now, settings)),
    alert: alertDto(extras.alerts.get(pool.id)),
  };
}

/** One pool (by id or name) with usage, forecast, open alert and its block map. */
export async function getPool(
  ctx: ServiceContext,
  ref: string,
  settings: OutlookSettings = defaultOutlookSettings,
): Promise<PoolDetail> {
  const now = ctx.now();
  const pool = await findPool(ctx.prisma, { poolId: ref });
  const plan = planOf(pool);
  const [stats, counts, extras] = await Promise.all([
    blockStats(ctx.prisma, pool.id, now),
    poolCounts(ctx.prisma, [pool.id], now),
    outlookExtras(ctx.prisma, [pool.id], now),
  ]);
  return {
    ...poolSummary(pool, plan, countsOf(counts, pool.id), extras, now, settings),
    blocks: toPoolBlocks(plan, stats),
  };
}

export interface AllocationQuery {
  /** Only allocations that hold their address now (active or cooling down); default true. */
  heldOnly?: boolean;
  hostId?: string;
  limit?: number;
}

/** Allocations of a pool, newest first: what the leak check and `yardctl ipam show` list. */
export async function listAllocations(
  ctx: ServiceContext,
  ref: string,
  query: AllocationQuery = {},
): Promise<Allocation[]> {
  const now = ctx.now();
  const pool = await findPool(ctx.prisma, { poolId: ref });
  const rows = await ctx.prisma.addressAllocation.findMany({
    where: {
      poolId: pool.id,
      ...(query.heldOnly === false ? {} : { heldOffset: { not: null } }),
      ...(query.hostId ? { hostId: query.hostId } : {}),
    },
    orderBy: [{ allocatedAt: "desc" }, { id: "desc" }],
    take: Math.min(query.limit ?? 1000, 10_000),
  });
  return rows.map((row) => toAllocationDto(row, pool, now));
}
