import type { Allocation, PoolDetail, PoolSummary } from "@switchyard/protocol";
import type { ServiceContext } from "../context";
import { toAllocationDto } from "./allocation-dto";
import { findPool, planOf, toPoolDto } from "./pool-record";
import { blockStats, poolUsage, toPoolBlocks } from "./usage";

/** Every pool with its usage, by name. */
export async function listPools(ctx: ServiceContext): Promise<PoolSummary[]> {
  const now = ctx.now();
  const pools = await ctx.prisma.addressPool.findMany({ orderBy: { name: "asc" } });
  return Promise.all(
    pools.map(async (pool) => {
      const plan = planOf(pool);
      return { ...toPoolDto(pool, plan), usage: await poolUsage(ctx.prisma, pool, plan, now) };
    }),
  );
}

/** One pool (by id or name) with usage and its block map. */
export async function getPool(ctx: ServiceContext, ref: string): Promise<PoolDetail> {
  const now = ctx.now();
  const pool = await findPool(ctx.prisma, { poolId: ref });
  const plan = planOf(pool);
  const stats = await blockStats(ctx.prisma, pool.id, now);
  return {
    ...toPoolDto(pool, plan),
    usage: await poolUsage(ctx.prisma, pool, plan, now, stats),
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
