import type { Attachment, DesiredStateResult, Operation, ReconcileEvent } from "@switchyard/protocol";
import { type AddressAllocator, ipamAllocator } from "../attachments/allocator";
import { attachmentsByIds } from "../attachments/queries";
import { type Actor, recordAudit } from "../audit";
import type { Db, ServiceContext } from "../context";
import { operationsByIds } from "../operations/queries";
import type { BuildProblem } from "./build";

/** What changed, for the caller to broadcast. */
export interface LedgerChanges {
  attachments: Attachment[];
  operations: Operation[];
}

const none = (): LedgerChanges => ({ attachments: [], operations: [] });

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
          status: { in: ["pending", "applied", "failed"] },
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
  deps: { allocator?: AddressAllocator; actor?: Actor } = {},
): Promise<ResultOutcome> {
  const allocator = deps.allocator ?? ipamAllocator;
  const host = await ctx.prisma.host.findUnique({
    where: { id: hostId },
    select: { id: true, name: true, desiredSerial: true },
  });
  const actor: Actor = deps.actor ?? { type: "agent", id: hostId, name: host?.name ?? hostId };
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
    await allocator.release(ctx, actor, {
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
  await ctx.prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT "id" FROM "Host" WHERE "id" = ${hostId} FOR UPDATE`;
    const live = await tx.attachment.findMany({
      where: { hostId, status: { in: ["pending", "applied", "failed"] }, id: { in: [...reported.keys()] } },
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
    for (const a of gone) {
      const done = await tx.attachment.updateManyAndReturn({
        where: { id: a.id, status: "detaching" },
        data: { status: "detached", detachedAt: now, activeKey: null, hostIfname: null },
        select: { id: true },
      });
      for (const d of done) attachmentIds.add(d.id);
    }
    const open = await tx.operation.findMany({
      where: { hostId, status: { in: ["pending", "sent"] }, serial: { lte: S } },
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
      } else if (gone.some((g) => g.id === op.attachmentId) || op.attachment.status === "detached") {
        data = { status: "applied", error: null };
      }
      if (!data) continue;
      await tx.operation.update({
        where: { id: op.id },
        data: { ...data, finishedAt: now, sentAt: op.sentAt ?? now },
      });
      operationIds.add(op.id);
    }
    await tx.host.updateMany({ where: { id: hostId, appliedSerial: { lt: S } }, data: { appliedSerial: S } });
    for (const e of notable) {
      await recordAudit(tx, {
        actor,
        action: e.kind === "repaired" ? "reconcile.repaired" : "reconcile.error",
        targetType: e.endpointId ? "attachment" : "host",
        targetId: e.endpointId ?? hostId,
        details: { message: e.message, networkId: e.networkId, serial: S, host: host.name },
        at: now,
      });
    }
  });
  return { ...(await collect(ctx.prisma, attachmentIds, operationIds)), notable, accepted: true };
}
