import type { Prisma } from "@switchyard/db";
import { type NetworkDriver, WANTED_ATTACHMENT_STATUSES } from "@switchyard/protocol";
import { type Actor, actorLabel, recordAudit } from "../audit";
import type { Db } from "../context";
import { notFound } from "../errors";
import { type OperationWithNames, operationInclude } from "../operations/dto";

/** The sticky key's slot while the attachment is not detached ("poolId|key"); null frees it. */
export const liveStickyKeyOf = (poolId: string, stickyKey: string | null): string | null =>
  stickyKey === null ? null : `${poolId}|${stickyKey}`;

export interface IntentScope {
  hostId: string;
  networkId: string;
  driver: NetworkDriver;
}

/** Proof that `lockIntent` ran in this transaction; `writeIntent` asks for it. */
export interface IntentLock {
  readonly scope: IntentScope;
  /** The host and its VXLAN peers (hosts with a wanted endpoint on the same VXLAN network), sorted. */
  readonly hostIds: readonly string[];
}

/**
 * Takes the locks every change of intent (attach, detach, leak release, undo) takes, always in this
 * order and before any IPAM lock, so two changes can wait for each other but never deadlock:
 *  1. the network row: shared, or exclusive for VXLAN, whose peer set changes with every endpoint
 *     (so the peers read next cannot change until commit, and each change sees the ones before it);
 *  2. the rows of the host and its VXLAN peers, in id order, in one statement.
 */
export async function lockIntent(tx: Db, scope: IntentScope): Promise<IntentLock> {
  const vxlan = scope.driver === "vxlan";
  const network = vxlan
    ? await tx.$queryRaw<
        { id: string }[]
      >`SELECT "id" FROM "Network" WHERE "id" = ${scope.networkId} FOR UPDATE`
    : await tx.$queryRaw<
        { id: string }[]
      >`SELECT "id" FROM "Network" WHERE "id" = ${scope.networkId} FOR SHARE`;
  if (network.length === 0) throw notFound(`network ${scope.networkId}`, "network");
  const peers = vxlan
    ? await tx.attachment.findMany({
        where: { networkId: scope.networkId, status: { in: [...WANTED_ATTACHMENT_STATUSES] } },
        select: { hostId: true },
        distinct: ["hostId"],
      })
    : [];
  const hostIds = [...new Set([scope.hostId, ...peers.map((p) => p.hostId)])].sort();
  const locked = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "Host" WHERE "id" = ANY(${hostIds}::text[]) ORDER BY "id" FOR UPDATE`;
  if (!locked.some((h) => h.id === scope.hostId)) throw notFound(`host ${scope.hostId}`, "host");
  return { scope, hostIds: locked.map((h) => h.id) };
}

export interface IntentWrite<T> {
  kind: "attach" | "detach";
  attachmentId: string;
  actor: Actor;
  now: Date;
  /** The operation's reason (shown in the ledger). */
  reason: string | null;
  audit: {
    action: string;
    reason: string | null;
    details: Record<string, Prisma.InputJsonValue | null>;
    /** Default: the attachment. */
    target?: { type: string; id: string };
  };
  /** Writes the attachment row at the host's new desired serial. */
  write: (serial: number) => Promise<T>;
}

export interface IntentWritten<T> {
  value: T;
  operation: OperationWithNames;
  serial: number;
  /** Hosts whose desired state changed (the host first, then its VXLAN peers): push them. */
  hostIds: string[];
}

/**
 * The one write path of intent: bumps the desired serial of the host and its VXLAN peers (one
 * statement, rows already locked), writes the attachment at the host's new serial, records the
 * operation and the audit event.
 */
export async function writeIntent<T>(tx: Db, lock: IntentLock, w: IntentWrite<T>): Promise<IntentWritten<T>> {
  const { hostId, networkId } = lock.scope;
  const bumped = await tx.$queryRaw<{ id: string; desiredSerial: number }[]>`
    UPDATE "Host" SET "desiredSerial" = "desiredSerial" + 1
    WHERE "id" = ANY(${[...lock.hostIds]}::text[]) RETURNING "id", "desiredSerial"`;
  const serial = bumped.find((h) => h.id === hostId)?.desiredSerial;
  if (serial === undefined) throw notFound(`host ${hostId}`, "host");
  const value = await w.write(serial);
  const operation = await tx.operation.create({
    data: {
      kind: w.kind,
      attachmentId: w.attachmentId,
      hostId,
      networkId,
      status: "pending",
      requestedBy: actorLabel(w.actor),
      reason: w.reason?.slice(0, 500) ?? null,
      serial,
      createdAt: w.now,
    },
    include: operationInclude,
  });
  await recordAudit(tx, {
    actor: w.actor,
    action: w.audit.action,
    targetType: w.audit.target?.type ?? "attachment",
    targetId: w.audit.target?.id ?? w.attachmentId,
    reason: w.audit.reason,
    details: { ...w.audit.details, operationId: operation.id, serial },
    scope: { hostId, networkId },
    at: w.now,
  });
  return { value, operation, serial, hostIds: [hostId, ...lock.hostIds.filter((id) => id !== hostId)] };
}
