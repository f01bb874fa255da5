import { usableInBlock } from "@switchyard/ipam";
import type { Db } from "../context";
import type { MetricFamily } from "../metrics";
import { planOf } from "./pool-record";
import { ts } from "./sql";

/**
 * IPAM metrics of every pool (size, allocated, cooling, free, blocks, addresses ever handed out) and of
 * every host in it, in four queries whatever the number of pools. The numbers are `poolUsage`'s.
 */
export async function renderIpamMetrics(db: Db, now: Date = new Date()): Promise<MetricFamily[]> {
  const [pools, blocks, held, byHost] = await Promise.all([
    db.addressPool.findMany({ orderBy: { name: "asc" } }),
    db.$queryRaw<{ poolId: string; index: string; hostId: string | null; hostName: string | null }[]>`
      SELECT b."poolId", b."index"::text AS "index", b."hostId", h."name" AS "hostName"
      FROM "AddressBlock" b LEFT JOIN "Host" h ON h."id" = b."hostId"`,
    db.$queryRaw<{ poolId: string; total: number; allocated: number; cooling: number }[]>`
      SELECT "poolId", count(*)::int AS total,
        count(*) FILTER (WHERE "heldOffset" IS NOT NULL AND "releasedAt" IS NULL)::int AS allocated,
        count(*) FILTER (WHERE "heldOffset" IS NOT NULL AND "releasedAt" IS NOT NULL
                           AND "reusableAt" > ${ts(now)})::int AS cooling
      FROM "AddressAllocation" GROUP BY "poolId"`,
    db.$queryRaw<{ poolId: string; hostId: string | null; hostName: string | null; n: number }[]>`
      SELECT a."poolId", a."hostId", h."name" AS "hostName", count(*)::int AS n
      FROM "AddressAllocation" a LEFT JOIN "Host" h ON h."id" = a."hostId"
      WHERE a."heldOffset" IS NOT NULL AND a."releasedAt" IS NULL
      GROUP BY a."poolId", a."hostId", h."name"`,
  ]);
  const family = (name: string, help: string, type: MetricFamily["type"] = "gauge"): MetricFamily => ({
    name,
    help,
    type,
    samples: [],
  });
  const f = {
    size: family("switchyard_ipam_pool_size_addresses", "Addresses in the pool's subnet."),
    usable: family(
      "switchyard_ipam_pool_usable_addresses",
      "Addresses that can be handed out (minus reserved).",
    ),
    allocated: family("switchyard_ipam_pool_allocated_addresses", "Addresses held by an active allocation."),
    cooling: family("switchyard_ipam_pool_cooling_addresses", "Released addresses still cooling down."),
    free: family(
      "switchyard_ipam_pool_free_addresses",
      "Usable addresses neither allocated nor cooling down.",
    ),
    blocks: family("switchyard_ipam_pool_blocks", "Blocks of the pool by state."),
    total: family(
      "switchyard_ipam_allocations_total",
      "Addresses handed out from the pool, ever.",
      "counter",
    ),
    hostBlocks: family("switchyard_ipam_host_blocks", "Blocks a host owns in the pool."),
    hostAllocated: family(
      "switchyard_ipam_host_allocated_addresses",
      "Active allocations of a host in the pool.",
    ),
    hostCapacity: family("switchyard_ipam_host_capacity_addresses", "Usable addresses in the host's blocks."),
  };
  const hostLabel = (hostId: string | null, hostName: string | null) => hostName ?? hostId ?? "(none)";
  for (const pool of pools) {
    const plan = planOf(pool);
    const p = { pool: pool.name };
    const counts = held.find((h) => h.poolId === pool.id) ?? { total: 0, allocated: 0, cooling: 0 };
    const claimed = blocks.filter((b) => b.poolId === pool.id);
    const free = plan.usable - BigInt(counts.allocated + counts.cooling);
    f.size.samples.push({ labels: { ...p, cidr: pool.cidr }, value: Number(plan.cidr.size) });
    f.usable.samples.push({ labels: p, value: Number(plan.usable) });
    f.allocated.samples.push({ labels: p, value: counts.allocated });
    f.cooling.samples.push({ labels: p, value: counts.cooling });
    f.free.samples.push({ labels: p, value: Number(free < 0n ? 0n : free) });
    f.blocks.samples.push(
      { labels: { ...p, state: "claimed" }, value: claimed.length },
      { labels: { ...p, state: "free" }, value: Number(plan.layout.blockCount - BigInt(claimed.length)) },
    );
    f.total.samples.push({ labels: p, value: counts.total });

    const hosts = new Map<
      string | null,
      { name: string; blocks: number; capacity: number; allocated: number }
    >();
    for (const b of claimed) {
      const h = hosts.get(b.hostId) ?? {
        name: hostLabel(b.hostId, b.hostName),
        blocks: 0,
        capacity: 0,
        allocated: 0,
      };
      h.blocks += 1;
      h.capacity += Number(usableInBlock(plan.layout, BigInt(b.index), plan.reserved));
      hosts.set(b.hostId, h);
    }
    for (const a of byHost) {
      if (a.poolId !== pool.id) continue;
      const h = hosts.get(a.hostId) ?? {
        name: hostLabel(a.hostId, a.hostName),
        blocks: 0,
        capacity: 0,
        allocated: 0,
      };
      h.allocated = a.n;
      hosts.set(a.hostId, h);
    }
    for (const h of [...hosts.values()].sort((x, y) => x.name.localeCompare(y.name))) {
      const hl = { ...p, host: h.name };
      f.hostBlocks.samples.push({ labels: hl, value: h.blocks });
      f.hostAllocated.samples.push({ labels: hl, value: h.allocated });
      f.hostCapacity.samples.push({ labels: hl, value: h.capacity });
    }
  }
  return Object.values(f);
}
