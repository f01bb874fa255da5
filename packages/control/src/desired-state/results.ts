import { createHash } from "node:crypto";
import {
  type Attachment,
  type DesiredStateResult,
  type Operation,
  type ReconcileEvent,
  WANTED_ATTACHMENT_STATUSES,
} from "@switchyard/protocol";
import { releaseDetachedAddress } from "../attachments/allocator";
import { attachmentsByIds } from "../attachments/queries";
import type { Actor } from "../audit";
import type { Db, ServiceContext } from "../context";
import { operationsByIds } from "../operations/queries";
import type { BuildProblem } from "./build";

/** What changed, for the caller to broadcast. */
export interface LedgerChanges {
  attachments: Attachment[];
  operations: Operation[];
}

const none = (): LedgerChanges => ({ attachments: [], operations: [] });

/** Rows per transaction when recording a result; audit rows per insert. */
const RESULT_CHUNK = 200;
const AUDIT_CHUNK = 1_000;
const TX_OPTIONS = { timeout: 30_000, maxWait: 10_000 };

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** A UUID (version 8, name-based) from a name: the same name, the same id. */
function derivedUuid(name: string): string {
  const h = createHash("sha256").update(name).digest("hex");
  const variant = ((Number.parseInt(h.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

async function collect(
  db: Db,
  attachmentIds: Set<string>,
  operationIds: Set<string>,
): Promise<LedgerChanges> {
  return {
    attachments: await attachmentsByIds(db, [...attachmentIds]),
    operations: await operationsByIds(db, [...operationIds]),
  };
}

/** The host's pending operations up to `serial` become `sent` (their desired state was pushed). */
export async function markOperationsSent(
  ctx: ServiceContext,
  hostId: string,
  serial: number,
): Promise<Operation[]> {
  const rows = await ctx.prisma.operation.updateManyAndReturn({
    where: { hostId, status: "pending", serial: { lte: serial } },
    data: { status: "sent", sentAt: ctx.now() },
    select: { id: true },
  });
  return operationsByIds(
    ctx.prisma,
    rows.map((r) => r.id),
  );
}

/**
 * Endpoints the builder had to leave out (e.g. a VXLAN network without an underlay address for the
 * host): their attachments become `failed` with the reason, their open attach operations too.
 */
export async function recordBuildProblems(
  ctx: ServiceContext,
  problems: readonly BuildProblem[],
): Promise<LedgerChanges> {
  if (problems.length === 0) return none();
  const now = ctx.now();
  const attachmentIds = new Set<string>();
  const operationIds = new Set<string>();
  await ctx.prisma.$transaction(async (tx) => {
    for (const p of problems) {
      const a = await tx.attachment.updateManyAndReturn({
        where: {
          id: p.attachmentId,
          status: { in: [...WANTED_ATTACHMENT_STATUSES] },
          NOT: { error: p.error },
        },
        data: { status: "failed", error: p.error },
        select: { id: true },
      });
      for (const r of a) attachmentIds.add(r.id);
      const ops = await tx.operation.updateManyAndReturn({
        where: { attachmentId: p.attachmentId, kind: "attach", status: { in: ["pending", "sent"] } },
        data: { status: "failed", error: p.error, finishedAt: now },
        select: { id: true },
      });
      for (const r of ops) operationIds.add(r.id);
    }
  });
  return collect(ctx.prisma, attachmentIds, operationIds);
}

export interface ResultOutcome extends LedgerChanges {
  /** Events worth keeping (drift repaired, errors), already written to the audit log. */
  notable: ReconcileEvent[];
  /** False when the result was ignored (a serial this host never had). */
  accepted: boolean;
}

const cleanupError = (events: readonly ReconcileEvent[]): string | null => {
  const e = events.find(
    (x) => x.kind === "error" && x.endpointId === null && x.message.startsWith("cleanup:"),
  );
  return e ? e.message : null;
};

/**
 * The agent applied the host's desired state `result.serial`:
 *  - attachments it reported take its status (applied, or failed with the command's error text), unless
 *    a detach was asked meanwhile;
 *  - attachments detaching at a serial <= result.serial are gone from the host (the reconciler removed
 *    whatever it had made for them): their address is released into IPAM's cooldown (only while their
 *    own allocation still holds it) and they become `detached`; not when the cleanup step itself failed;
 *  - open operations with serial <= result.serial close: applied, or failed with the agent's error;
 *  - host.appliedSerial = max(appliedSerial, result.serial).
 * Idempotent: a repeated result changes nothing more.
 */
export async function applyDesiredStateResult(
  ctx: ServiceContext,
  hostId: string,
  result: DesiredStateResult,
): Promise<ResultOutcome> {
  const host = await ctx.prisma.host.findUnique({
    where: { id: hostId },
    select: { id: true, name: true, desiredSerial: true },
  });
  const actor: Actor = { type: "agent", id: hostId, name: host?.name ?? hostId };
  if (!host || result.serial > host.desiredSerial) {
    return { ...none(), notable: [], accepted: false };
  }
  const S = result.serial;
  const reported = new Map(result.results.map((r) => [r.endpointId, r]));
  const cleanupFailed = cleanupError(result.events);

  // Release addresses of endpoints that are gone before marking them detached: a crash in between leaves
  // them detaching, and the next result releases (a no-op now) and marks them.
  const gone = cleanupFailed
    ? []
    : await ctx.prisma.attachment.findMany({ where: { hostId, status: "detaching", serial: { lte: S } } });
  for (const a of gone) {
    await releaseDetachedAddress(ctx, actor, {
      attachmentId: a.id,
      poolId: a.poolId,
      allocationId: a.allocationId,
      address: a.address,
      reason: `detached: ${a.containerRuntime}:${a.containerRef} ${a.ifname}`,
    });
  }

  const now = ctx.now();
  const attachmentIds = new Set<string>();
  const operationIds = new Set<string>();
  const notable = result.events.filter((e) => e.kind === "repaired" || e.kind === "error");
  // Bounded transactions (RESULT_CHUNK rows each, in order), so a result for thousands of endpoints or
  // with thousands of events never outgrows a transaction's timeout and rolls back whole. Each step is
  // idempotent and host.appliedSerial moves last: a result interrupted half-way is not acknowledged,
  // the agent sends it again, and the second pass finishes what the first began.
  const lockHost = (tx: Db) => tx.$queryRaw`SELECT "id" FROM "Host" WHERE "id" = ${hostId} FOR UPDATE`;
  for (const ids of chunks([...reported.keys()], RESULT_CHUNK)) {
    await ctx.prisma.$transaction(async (tx) => {
      await lockHost(tx);
      const live = await tx.attachment.findMany({
        where: { hostId, status: { in: [...WANTED_ATTACHMENT_STATUSES] }, id: { in: ids } },
      });
      for (const a of live) {
        const r = reported.get(a.id);
        if (!r) continue;
        const status = r.status;
        const error = r.status === "failed" ? r.error : null;
        if (a.status === status && a.error === error && a.hostIfname === r.hostIfname) continue;
        await tx.attachment.update({
          where: { id: a.id },
          data: {
            status,
            error,
            hostIfname: r.hostIfname,
            ...(status === "applied" && !a.appliedAt ? { appliedAt: now } : {}),
          },
        });
        attachmentIds.add(a.id);
      }
    }, TX_OPTIONS);
  }
  for (const part of chunks(gone, RESULT_CHUNK)) {
    await ctx.prisma.$transaction(async (tx) => {
      await lockHost(tx);
      for (const a of part) {
        const done = await tx.attachment.updateManyAndReturn({
          where: { id: a.id, status: "detaching" },
          data: {
            status: "detached",
            detachedAt: now,
            activeKey: null,
            liveStickyKey: null,
            hostIfname: null,
          },
          select: { id: true },
        });
        for (const d of done) attachmentIds.add(d.id);
      }
    }, TX_OPTIONS);
  }
  const goneIds = new Set(gone.map((g) => g.id));
  const openIds = (
    await ctx.prisma.operation.findMany({
      where: { hostId, status: { in: ["pending", "sent"] }, serial: { lte: S } },
      select: { id: true },
      orderBy: { id: "asc" },
    })
  ).map((o) => o.id);
  for (const ids of chunks(openIds, RESULT_CHUNK)) {
    await ctx.prisma.$transaction(async (tx) => {
      await lockHost(tx);
      const open = await tx.operation.findMany({
        where: { id: { in: ids }, status: { in: ["pending", "sent"] } },
        include: { attachment: { select: { status: true } } },
      });
      for (const op of open) {
        const r = reported.get(op.attachmentId);
        let data: { status: "applied" | "failed"; error: string | null; durationMs?: number } | null = null;
        if (op.kind === "attach") {
          if (r) data = { status: r.status, error: r.status === "failed" ? r.error : null };
          else if (op.attachment.status === "detaching" || op.attachment.status === "detached")
            data = { status: "failed", error: "detached before it was applied" };
          if (data && r?.durationMs !== undefined) data.durationMs = r.durationMs;
        } else if (cleanupFailed) {
          data = { status: "failed", error: cleanupFailed };
        } else if (goneIds.has(op.attachmentId) || op.attachment.status === "detached") {
          data = { status: "applied", error: null };
        }
        if (!data) continue;
        await tx.operation.update({
          where: { id: op.id },
          data: { ...data, finishedAt: now, sentAt: op.sentAt ?? now },
        });
        operationIds.add(op.id);
      }
    }, TX_OPTIONS);
  }
  // Audit rows get ids derived from the result itself: the same result sent again records nothing twice.
  const resultDigest = createHash("sha256").update(JSON.stringify(result)).digest("hex");
  const rows = notable.map((e, i) => ({
    id: derivedUuid(`${hostId}|${resultDigest}|${i}`),
    at: now,
    actorType: actor.type,
    actorId: actor.id,
    actorName: actor.name,
    action: e.kind === "repaired" ? "reconcile.repaired" : "reconcile.error",
    targetType: e.endpointId ? "attachment" : "host",
    targetId: e.endpointId ?? hostId,
    reason: null,
    details: { message: e.message, networkId: e.networkId, serial: S, host: host.name },
    hostId,
    networkId: e.networkId ?? null,
  }));
  for (const part of chunks(rows, AUDIT_CHUNK)) {
    await ctx.prisma.auditEvent.createMany({ data: part, skipDuplicates: true });
  }
  await ctx.prisma.host.updateMany({
    where: { id: hostId, appliedSerial: { lt: S } },
    data: { appliedSerial: S },
  });
  return { ...(await collect(ctx.prisma, attachmentIds, operationIds)), notable, accepted: true };
}
