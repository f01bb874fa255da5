import {
  type AttachmentStatus,
  type HostDrift,
  type HostRepair,
  inventorySchema,
  type NetworkDriver,
  type RepairAck,
  WANTED_ATTACHMENT_STATUSES,
} from "@switchyard/protocol";
import { type Actor, recordAudit } from "../audit";
import type { Db, ServiceContext } from "../context";
import { effectiveSettings } from "../desired-state/build";
import { listReconcileEvents } from "../desired-state/events";
import { DomainError } from "../errors";
import { findHost } from "../hosts";
import { type DriftEndpoint, type DriftNetwork, findDrift } from "./drift";

/** What the drift of one host is derived from besides its inventory, and a key that changes with it. */
export interface HostWanted {
  key: string;
  endpoints: DriftEndpoint[];
  networks: DriftNetwork[];
}

/** Reconcile events shown next to a host's drift. */
const DRIFT_EVENTS = 10;

/**
 * The wanted endpoints of the hosts `where` selects and their networks with each host's settings, in
 * two queries (attachments, then their networks), by host.
 */
export async function wantedByHost(
  db: Db,
  where: { hostId?: string | { in: string[] } },
): Promise<Map<string, HostWanted>> {
  const attachments = await db.attachment.findMany({
    where: { ...where, status: { in: [...WANTED_ATTACHMENT_STATUSES] } },
    select: {
      id: true,
      hostId: true,
      networkId: true,
      containerRuntime: true,
      containerRef: true,
      ifname: true,
      address: true,
      status: true,
      error: true,
      hostIfname: true,
    },
  });
  if (attachments.length === 0) return new Map();
  const networkRows = await db.network.findMany({
    where: { id: { in: [...new Set(attachments.map((a) => a.networkId))] } },
    select: {
      id: true,
      name: true,
      driver: true,
      bridgeName: true,
      uplink: true,
      vlan: true,
      hostOverrides: { select: { hostId: true, bridgeName: true, uplink: true, underlayAddress: true } },
    },
  });
  const networks = new Map(networkRows.map((n) => [n.id, n]));
  const byHost = new Map<string, { endpoints: DriftEndpoint[]; networks: Map<string, DriftNetwork> }>();
  for (const a of attachments) {
    let entry = byHost.get(a.hostId);
    if (!entry) {
      entry = { endpoints: [], networks: new Map() };
      byHost.set(a.hostId, entry);
    }
    entry.endpoints.push({
      id: a.id,
      networkId: a.networkId,
      status: a.status as AttachmentStatus,
      error: a.error,
      runtime: a.containerRuntime,
      ref: a.containerRef,
      ifname: a.ifname,
      address: a.address,
      hostIfname: a.hostIfname,
    });
    const n = networks.get(a.networkId);
    if (n && !entry.networks.has(n.id)) {
      const s = effectiveSettings(n, a.hostId);
      entry.networks.set(n.id, {
        id: n.id,
        name: n.name,
        driver: n.driver as NetworkDriver,
        bridgeName: n.driver === "macvlan" ? null : s.bridgeName,
        uplink: n.driver === "vxlan" ? null : s.uplink,
        vlan: n.driver === "ovs" ? n.vlan : null,
      });
    }
  }
  const out = new Map<string, HostWanted>();
  for (const [hostId, entry] of byHost) {
    const endpoints = entry.endpoints.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const nets = [...entry.networks.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
    out.set(hostId, { key: JSON.stringify([endpoints, nets]), endpoints, networks: nets });
  }
  return out;
}

/** The host's drift items against its latest inventory, and its agent's latest repairs and failures. */
export async function getHostDrift(ctx: ServiceContext, idOrName: string): Promise<HostDrift> {
  const host = await findHost(ctx.prisma, idOrName);
  const [wanted, stored, events] = await Promise.all([
    wantedByHost(ctx.prisma, { hostId: host.id }),
    ctx.prisma.hostInventory.findUnique({ where: { hostId: host.id } }),
    listReconcileEvents(ctx, { hostId: host.id, limit: DRIFT_EVENTS }),
  ]);
  const parsed = stored ? inventorySchema.safeParse(stored.snapshot) : null;
  const mine = wanted.get(host.id);
  return {
    hostId: host.id,
    hostName: host.name,
    inventoryReceivedAt: stored?.receivedAt.toISOString() ?? null,
    items: mine ? findDrift(mine.endpoints, mine.networks, parsed?.success ? parsed.data : null) : [],
    events,
  };
}

/** Asks the host's agent to verify and repair the whole host now; a 409 when it cannot be asked. */
export async function requestHostRepair(
  ctx: ServiceContext,
  actor: Actor,
  idOrName: string,
  repairHost: (hostId: string) => Promise<RepairAck>,
): Promise<HostRepair> {
  const host = await findHost(ctx.prisma, idOrName);
  if (host.status === "revoked") throw new DomainError("conflict", `host ${host.name} is revoked`, "id");
  let ack: RepairAck;
  try {
    ack = await repairHost(host.id);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new DomainError("conflict", `cannot ask the host's agent to repair: ${why}`, "id");
  }
  await recordAudit(ctx.prisma, {
    actor,
    action: "host.repair",
    targetType: "host",
    targetId: host.id,
    details: { name: host.name, mode: ack.mode, started: ack.started },
    at: ctx.now(),
  });
  return { hostId: host.id, ...ack };
}
