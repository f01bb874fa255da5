import type { Db } from "../context";
import type { MetricFamily } from "../metrics";
import { defaultOutlookSettings, type OutlookSettings, outlookExtras, outlookOf } from "./outlook";
import { planOf } from "./pool-record";
import { countsOf, poolCounts, poolUsageOf } from "./usage";

/**
 * IPAM metrics of every pool (size, allocated, cooling, free, blocks, addresses ever handed out, the
 * forecast and its alert) and of every host in it, in six queries whatever the number of pools. The
 * numbers are `/pools`' usage and outlook.
 */
export async function renderIpamMetrics(
  db: Db,
  now: Date = new Date(),
  settings: OutlookSettings = defaultOutlookSettings,
): Promise<MetricFamily[]> {
  const [pools, counts, extras] = await Promise.all([
    db.addressPool.findMany({ orderBy: { name: "asc" } }),
    poolCounts(db, "all", now),
    outlookExtras(db, "all", now),
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
    rate: family(
      "switchyard_ipam_pool_net_allocations_per_hour",
      "Addresses allocated minus released per hour over the last 24 h (the pool's life when shorter).",
    ),
    exhaustion: family(
      "switchyard_ipam_pool_exhaustion_seconds",
      "Seconds until the pool's free addresses or free blocks run out at that rate (0: none left); no sample when not growing.",
    ),
    hostsWithout: family(
      "switchyard_ipam_pool_hosts_without_free_block",
      "Hosts whose blocks are full or fill within POOL_EXHAUSTION_HORIZON while the pool has no free block.",
    ),
    alert: family(
      "switchyard_ipam_pool_exhaustion_alert",
      "1 while the pool's exhaustion episode is open (its first failure was forecast within POOL_EXHAUSTION_HORIZON).",
    ),
  };
  for (const pool of pools) {
    const plan = planOf(pool);
    const p = { pool: pool.name };
    const c = countsOf(counts, pool.id);
    const usage = poolUsageOf(plan, c);
    f.size.samples.push({ labels: { ...p, cidr: pool.cidr }, value: Number(plan.cidr.size) });
    f.usable.samples.push({ labels: p, value: Number(plan.usable) });
    f.allocated.samples.push({ labels: p, value: usage.allocated });
    f.cooling.samples.push({ labels: p, value: usage.coolingDown });
    f.free.samples.push({ labels: p, value: Number(usage.free) });
    f.blocks.samples.push(
      { labels: { ...p, state: "claimed" }, value: usage.blocksClaimed },
      { labels: { ...p, state: "free" }, value: Number(usage.blocksFree) },
    );
    f.total.samples.push({ labels: p, value: c.total });
    const outlook = outlookOf(pool, plan, c, extras, now, settings);
    f.rate.samples.push({ labels: p, value: outlook.ratePerHour });
    const secondsUntil = (iso: string) => Math.max(0, (Date.parse(iso) - now.getTime()) / 1000);
    if (outlook.exhaustsAt)
      f.exhaustion.samples.push({
        labels: { ...p, resource: "addresses" },
        value: secondsUntil(outlook.exhaustsAt),
      });
    if (outlook.blocksExhaustAt)
      f.exhaustion.samples.push({
        labels: { ...p, resource: "blocks" },
        value: secondsUntil(outlook.blocksExhaustAt),
      });
    f.hostsWithout.samples.push({ labels: p, value: outlook.hostsWithoutFreeBlock.length });
    f.alert.samples.push({ labels: p, value: extras.alerts.has(pool.id) ? 1 : 0 });
    for (const h of usage.hosts) {
      const hl = { ...p, host: h.hostName ?? h.hostId ?? "(none)" };
      f.hostBlocks.samples.push({ labels: hl, value: h.blocks });
      f.hostAllocated.samples.push({ labels: hl, value: h.allocated });
      f.hostCapacity.samples.push({ labels: hl, value: h.capacity });
    }
  }
  return Object.values(f);
}
