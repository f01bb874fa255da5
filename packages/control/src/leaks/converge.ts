import type { ServiceContext } from "../context";
import { DomainError } from "../errors";

/**
 * A reconnected agent that still has to apply desired-state changes (e.g. remove leftovers of
 * addresses released while it was away): its presence is refreshed but its status stays as it is
 * (offline) until it acknowledges the serial; then `markSeen` makes it online.
 */
export async function markConverging(
  ctx: ServiceContext,
  hostId: string,
  extra: { agentVersion?: string; protocolVersion?: number; appliedSerial?: number } = {},
): Promise<void> {
  const rows = await ctx.prisma.host.updateMany({
    where: { id: hostId, status: { in: ["pending", "offline"] } },
    data: {
      lastSeenAt: ctx.now(),
      ...(extra.agentVersion === undefined ? {} : { agentVersion: extra.agentVersion }),
      ...(extra.protocolVersion === undefined ? {} : { protocolVersion: extra.protocolVersion }),
    },
  });
  if (rows.count === 0) {
    const host = await ctx.prisma.host.findUnique({ where: { id: hostId }, select: { status: true } });
    if (!host || host.status === "revoked")
      throw new DomainError("forbidden", "host has been revoked or deleted");
  }
}
