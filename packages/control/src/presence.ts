import type { HostSummary } from "@switchyard/protocol";
import type { ServiceContext } from "./context";
import { DomainError } from "./errors";
import { toHostSummary } from "./hosts";

export interface PresenceResult {
  host: HostSummary;
  /** true when the status changed (pending/offline -> online): broadcast it. */
  changed: boolean;
  /** The host's desired serial now: an agent behind it that was never sent it must get it. */
  desiredSerial: number;
}

/**
 * An agent was seen (connected or sent a heartbeat): the host is online and `lastSeenAt` is now.
 * Refuses (forbidden) a host that was revoked meanwhile.
 */
export async function markSeen(
  ctx: ServiceContext,
  hostId: string,
  extra: { agentVersion?: string; protocolVersion?: number; appliedSerial?: number } = {},
): Promise<PresenceResult> {
  const now = ctx.now();
  const data = {
    lastSeenAt: now,
    ...(extra.agentVersion === undefined ? {} : { agentVersion: extra.agentVersion }),
    ...(extra.protocolVersion === undefined ? {} : { protocolVersion: extra.protocolVersion }),
    ...(extra.appliedSerial === undefined ? {} : { appliedSerial: extra.appliedSerial }),
  };
  // The common case first: already online, just refresh lastSeenAt. Both updates are conditional,
  // so a revoke that lands in between is never overwritten.
  const stillOnline = await ctx.prisma.host.updateManyAndReturn({
    where: { id: hostId, status: "online" },
    data,
  });
  const online = stillOnline[0];
  if (online) return { host: toHostSummary(online), changed: false, desiredSerial: online.desiredSerial };
  const cameOnline = await ctx.prisma.host.updateManyAndReturn({
    where: { id: hostId, status: { in: ["pending", "offline"] } },
    data: { ...data, status: "online" },
  });
  const back = cameOnline[0];
  if (back) return { host: toHostSummary(back), changed: true, desiredSerial: back.desiredSerial };
  throw new DomainError("forbidden", "host has been revoked or deleted");
}

/** Heartbeat from a connected agent. */
export async function recordHeartbeat(
  ctx: ServiceContext,
  hostId: string,
  heartbeat: { appliedSerial: number },
): Promise<PresenceResult> {
  return markSeen(ctx, hostId, { appliedSerial: heartbeat.appliedSerial });
}

/**
 * After an agent disconnects (and a grace period passed): offline, unless it was seen after
 * `disconnectedAt` (it reconnected, possibly to another replica). Returns the host when it changed.
 */
export async function markOfflineIfNotSeenSince(
  ctx: ServiceContext,
  hostId: string,
  disconnectedAt: Date,
): Promise<HostSummary | null> {
  const rows = await ctx.prisma.host.updateManyAndReturn({
    where: { id: hostId, status: "online", lastSeenAt: { lte: disconnectedAt } },
    data: { status: "offline" },
  });
  return rows[0] ? toHostSummary(rows[0]) : null;
}

/** Advisory lock key of the presence sweeper, so one replica sweeps at a time. */
const SWEEP_LOCK_KEY = 727002;

/**
 * Marks offline every online host not seen for `offlineAfterMs` (missed heartbeats). Returns the
 * hosts that changed so the caller can broadcast them. Safe to run on several replicas at once.
 */
export async function sweepOfflineHosts(ctx: ServiceContext, offlineAfterMs: number): Promise<HostSummary[]> {
  const cutoff = new Date(ctx.now().getTime() - offlineAfterMs);
  const rows = await ctx.prisma.$transaction(async (tx) => {
    const [lock] = await tx.$queryRaw<
      { locked: boolean }[]
    >`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK_KEY}) AS locked`;
    if (!lock?.locked) return [];
    return tx.host.updateManyAndReturn({
      where: { status: "online", OR: [{ lastSeenAt: { lt: cutoff } }, { lastSeenAt: null }] },
      data: { status: "offline" },
    });
  });
  return rows.map(toHostSummary);
}
