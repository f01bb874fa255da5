import type { LeakFinding, LeakProbeResult, ProbeAck, ProbeRequest } from "@switchyard/protocol";
import type { ServiceContext } from "../context";
import { DomainError, notFound } from "../errors";
import { getLeak } from "./check";

/** Asks the host's agent (through whichever replica holds its socket); rejects when it is not connected. */
export type ProbeHost = (hostId: string, request: ProbeRequest) => Promise<ProbeAck>;

/**
 * Duplicate-address detection for a finding from its host (arping -D on the network's interface):
 * the result is stored on the finding, which is returned.
 */
export async function probeLeak(
  ctx: ServiceContext,
  findingId: string,
  probeHost: ProbeHost,
): Promise<LeakFinding> {
  const plan = await planLeakProbe(ctx, findingId);
  let ack: ProbeAck;
  try {
    ack = await probeHost(plan.hostId, plan.request);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DomainError("conflict", `cannot probe from the host: ${why}`, "id");
  }
  const result: LeakProbeResult = {
    at: ctx.now().toISOString(),
    iface: plan.request.iface,
    address: plan.request.address,
    answered: ack.ok ? ack.answered : false,
    macs: ack.ok ? ack.macs : [],
    output: ack.ok ? ack.output : "",
    error: ack.ok ? null : ack.error,
  };
  await ctx.prisma.leakFinding.update({ where: { id: findingId }, data: { probe: result } });
  return getLeak(ctx, findingId);
}

/** What to probe for a finding: its host, the address, and the host-side interface on the network. */
async function planLeakProbe(
  ctx: ServiceContext,
  findingId: string,
): Promise<{ hostId: string; request: ProbeRequest }> {
  const f = await ctx.prisma.leakFinding.findUnique({ where: { id: findingId } });
  if (!f) throw notFound(`finding ${findingId}`, "id");
  if (!f.hostId) throw new DomainError("conflict", "this finding names no host to probe from", "id");
  let iface: string | null = null;
  let vlan: number | undefined;
  if (f.networkId) {
    const n = await ctx.prisma.network.findUnique({
      where: { id: f.networkId },
      include: { hostOverrides: { where: { hostId: f.hostId } } },
    });
    const o = n?.hostOverrides[0];
    iface = n?.driver === "macvlan" ? (o?.uplink ?? n.uplink) : (o?.bridgeName ?? n?.bridgeName ?? null);
    if (n?.driver === "ovs" && n.vlan) vlan = n.vlan;
  }
  if (!iface && f.kind !== "host_offline" && f.container === null && f.ifname) iface = f.ifname;
  if (!iface) {
    // A network of the pool on this host, else the first network of the pool.
    const n = await ctx.prisma.network.findFirst({ where: { poolId: f.poolId ?? "" } });
    iface = n?.driver === "macvlan" ? n.uplink : (n?.bridgeName ?? null);
  }
  if (!iface)
    throw new DomainError(
      "conflict",
      `no interface on host to probe ${f.address} from (no network known)`,
      "id",
    );
  return {
    hostId: f.hostId,
    request: { address: f.address, iface, count: 2, timeoutMs: 5_000, ...(vlan ? { vlan } : {}) },
  };
}
