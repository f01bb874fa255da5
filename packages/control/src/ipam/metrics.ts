import type { PrismaClient } from "@switchyard/db";
import { planOf } from "./pool-record";
import { poolUsage } from "./usage";

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labels = (l: Record<string, string>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",")}}`;

interface Family {
  name: string;
  help: string;
  samples: { labels: Record<string, string>; value: number }[];
}

/** IPAM gauges in the Prometheus text exposition format (pool size, used, cooling, blocks; per host). */
export async function renderIpamMetrics(prisma: PrismaClient, now: Date = new Date()): Promise<string> {
  const families: Record<string, Family> = {};
  const add = (name: string, help: string, l: Record<string, string>, value: number) => {
    families[name] ??= { name, help, samples: [] };
    families[name].samples.push({ labels: l, value });
  };
  const pools = await prisma.addressPool.findMany({ orderBy: { name: "asc" } });
  for (const pool of pools) {
    const plan = planOf(pool);
    const usage = await poolUsage(prisma, pool, plan, now);
    const p = { pool: pool.name };
    add(
      "switchyard_ipam_pool_size_addresses",
      "Addresses in the pool's subnet.",
      { ...p, cidr: pool.cidr },
      Number(usage.size),
    );
    add(
      "switchyard_ipam_pool_usable_addresses",
      "Addresses that can be handed out (minus reserved).",
      p,
      Number(usage.usable),
    );
    add(
      "switchyard_ipam_pool_allocated_addresses",
      "Addresses held by an active allocation.",
      p,
      usage.allocated,
    );
    add(
      "switchyard_ipam_pool_cooling_addresses",
      "Released addresses still cooling down.",
      p,
      usage.coolingDown,
    );
    add(
      "switchyard_ipam_pool_free_addresses",
      "Usable addresses neither allocated nor cooling down.",
      p,
      Number(usage.free),
    );
    add(
      "switchyard_ipam_pool_blocks",
      "Blocks of the pool by state.",
      { ...p, state: "claimed" },
      usage.blocksClaimed,
    );
    add(
      "switchyard_ipam_pool_blocks",
      "Blocks of the pool by state.",
      { ...p, state: "free" },
      Number(usage.blocksFree),
    );
    for (const h of usage.hosts) {
      const hl = { ...p, host: h.hostName ?? h.hostId ?? "(none)" };
      add("switchyard_ipam_host_blocks", "Blocks a host owns in the pool.", hl, h.blocks);
      add(
        "switchyard_ipam_host_allocated_addresses",
        "Active allocations of a host in the pool.",
        hl,
        h.allocated,
      );
      add(
        "switchyard_ipam_host_capacity_addresses",
        "Usable addresses in the host's blocks.",
        hl,
        h.capacity,
      );
    }
  }
  const lines: string[] = [];
  for (const f of Object.values(families)) {
    lines.push(`# HELP ${f.name} ${f.help}`, `# TYPE ${f.name} gauge`);
    for (const s of f.samples) lines.push(`${f.name}${labels(s.labels)} ${s.value}`);
  }
  return lines.length > 0 ? `${lines.join("\n")}\n` : "";
}
