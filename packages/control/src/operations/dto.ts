import type { Prisma } from "@switchyard/db";
import type { Operation } from "@switchyard/protocol";

export const operationInclude = {
  host: { select: { name: true } },
  attachment: { select: { network: { select: { name: true } } } },
} as const satisfies Prisma.OperationInclude;

export type OperationWithNames = Prisma.OperationGetPayload<{ include: typeof operationInclude }>;

export function toOperationDto(row: OperationWithNames): Operation {
  return {
    id: row.id,
    kind: row.kind,
    attachmentId: row.attachmentId,
    hostId: row.hostId,
    hostName: row.host.name,
    networkId: row.networkId,
    networkName: row.attachment.network.name,
    status: row.status,
    error: row.error,
    requestedBy: row.requestedBy,
    reason: row.reason,
    serial: row.serial,
    durationMs: row.durationMs,
    createdAt: row.createdAt.toISOString(),
    sentAt: row.sentAt?.toISOString() ?? null,
    finishedAt: row.finishedAt?.toISOString() ?? null,
  };
}
