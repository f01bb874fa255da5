import type { Prisma } from "@switchyard/db";
import type { Attachment, ContainerRuntime } from "@switchyard/protocol";

export const attachmentInclude = {
  host: { select: { name: true } },
  network: { select: { name: true } },
} as const satisfies Prisma.AttachmentInclude;

export type AttachmentWithNames = Prisma.AttachmentGetPayload<{ include: typeof attachmentInclude }>;

export function toAttachmentDto(row: AttachmentWithNames): Attachment {
  return {
    id: row.id,
    networkId: row.networkId,
    networkName: row.network.name,
    hostId: row.hostId,
    hostName: row.host.name,
    container: { runtime: row.containerRuntime as ContainerRuntime, ref: row.containerRef },
    ifname: row.ifname,
    address: row.address,
    prefixLength: row.prefixLength,
    mac: row.mac,
    setDefaultRoute: row.setDefaultRoute,
    stickyKey: row.stickyKey,
    status: row.status,
    error: row.error,
    hostIfname: row.hostIfname,
    poolId: row.poolId,
    allocationId: row.allocationId,
    reason: row.reason,
    createdAt: row.createdAt.toISOString(),
    createdBy: row.createdBy,
    appliedAt: row.appliedAt?.toISOString() ?? null,
    detachRequestedAt: row.detachRequestedAt?.toISOString() ?? null,
    detachedAt: row.detachedAt?.toISOString() ?? null,
  };
}

/** The slot one live attachment occupies: one container interface on one host. */
export const activeKeyOf = (hostId: string, runtime: string, ref: string, ifname: string): string =>
  `${hostId}|${runtime}|${ref}|${ifname}`;
