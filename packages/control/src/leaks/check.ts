import type { Prisma } from "@switchyard/db";
import type { LeakCheckResult, LeakFinding, LeakListState, LeakWebhookPayload } from "@switchyard/protocol";
import type { Db, ServiceContext } from "../context";
import { notFound } from "../errors";
import { findingDtos } from "./dto";
import { findLeaks, type RawFinding } from "./find";
import { loadCheckInput } from "./load";
import { LEAK_TX, lockLeaks, tryLockLeaks } from "./lock";
import type { LeakSettings } from "./settings";

export const LEAK_CHECK_JOB = "leak-check";

export interface LeakCheckOutcome {
  /** null when another replica holds the lock (`skipIfBusy`). */
  result: LeakCheckResult | null;
  /** Findings raised by this run (each has a webhook delivery queued when a URL is set). */
  raised: LeakFinding[];
  /** Ids of findings whose state changed (raised, resolved). */
  changedIds: string[];
}

const json = (value: unknown) => value as Prisma.InputJsonValue;

/**
 * One leak check: reads every active allocation, host and inventory, runs `findLeaks`, and records
 * the findings: a new problem is `pending`, becomes `open` (raised: alert, webhook) once it has
 * persisted for `graceMs`, and `resolved` when a later run no longer sees it. Runs under the leak
 * lock, so two replicas (or a periodic and an on-demand run) never interleave.
 */
export async function runLeakCheck(
  ctx: ServiceContext,
  settings: LeakSettings,
  options: { skipIfBusy?: boolean } = {},
): Promise<LeakCheckOutcome> {
  const started = performance.now();
  const out = await ctx.prisma.$transaction(async (tx) => {
    if (options.skipIfBusy) {
      if (!(await tryLockLeaks(tx))) return null;
    } else {
      await lockLeaks(tx);
    }
    const now = ctx.now();
    const input = await loadCheckInput(tx);
    const raw = findLeaks(input, now, { hostOfflineGraceMs: settings.hostOfflineGraceMs });
    const persisted = await persistFindings(tx, raw, now, settings);
    return { ...persisted, now, allocations: input.allocations.length, hosts: input.hosts.length };
  }, LEAK_TX);
  if (!out) return { result: null, raised: [], changedIds: [] };
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  await ctx.prisma.jobRun.upsert({
    where: { name: LEAK_CHECK_JOB },
    create: {
      name: LEAK_CHECK_JOB,
      lastRunAt: out.now,
      durationMs,
      summary: json({ seen: out.seen, raised: out.raisedIds.length, resolved: out.resolved }),
    },
    update: {
      lastRunAt: out.now,
      durationMs,
      summary: json({ seen: out.seen, raised: out.raisedIds.length, resolved: out.resolved }),
    },
  });
  const live = await ctx.prisma.leakFinding.findMany({
    where: { state: { in: ["open", "pending"] } },
    orderBy: [{ firstSeenAt: "asc" }, { id: "asc" }],
  });
  const findings = await findingDtos(ctx.prisma, live);
  const raisedSet = new Set(out.raisedIds);
  return {
    result: {
      checkedAt: out.now.toISOString(),
      durationMs,
      allocations: out.allocations,
      hosts: out.hosts,
      seen: out.seen,
      raised: out.raisedIds.length,
      resolved: out.resolved,
      open: findings.filter((f) => f.state === "open").length,
      pending: findings.filter((f) => f.state === "pending").length,
      findings,
    },
    raised: findings.filter((f) => raisedSet.has(f.id)),
    changedIds: [...out.raisedIds, ...out.resolvedIds],
  };
}

interface Persisted {
  seen: number;
  raisedIds: string[];
  resolved: number;
  resolvedIds: string[];
}

async function persistFindings(
  tx: Prisma.TransactionClient,
  raw: readonly RawFinding[],
  now: Date,
  settings: LeakSettings,
): Promise<Persisted> {
  const byKey = new Map<string, RawFinding>();
  for (const f of raw) byKey.set(f.key, f);
  const live = await tx.leakFinding.findMany({
    where: { state: { in: ["pending", "open"] } },
    select: { id: true, key: true, state: true, firstSeenAt: true },
  });
  const liveByKey = new Map(live.map((l) => [l.key, l]));
  const raiseAt = now.getTime() - settings.graceMs;

  // Problems gone since the last run: resolved.
  const goneIds = live.filter((l) => !byKey.has(l.key)).map((l) => l.id);
  if (goneIds.length > 0) {
    await tx.leakFinding.updateMany({
      where: { id: { in: goneIds } },
      data: { state: "resolved", resolvedAt: now, activeKey: null },
    });
  }

  // Problems seen again: refresh the evidence and lastSeenAt in one statement.
  const again = [...byKey.values()].filter((f) => liveByKey.has(f.key));
  if (again.length > 0) {
    const rows = again.map((f) => ({ id: liveByKey.get(f.key)?.id, evidence: f.evidence }));
    await tx.$executeRaw`
      UPDATE "LeakFinding" AS f SET "lastSeenAt" = ${now.toISOString()}::timestamptz AT TIME ZONE 'UTC',
        "evidence" = v."evidence"
      FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS v("id" text, "evidence" jsonb)
      WHERE f."id" = v."id"`;
  }

  // New problems: pending (open at once when there is no grace).
  const fresh = [...byKey.values()].filter((f) => !liveByKey.has(f.key));
  const immediate = settings.graceMs <= 0;
  if (fresh.length > 0) {
    await tx.leakFinding.createMany({
      data: fresh.map((f) => ({
        kind: f.kind,
        state: immediate ? ("open" as const) : ("pending" as const),
        key: f.key,
        activeKey: f.key,
        poolId: f.poolId,
        address: f.address,
        allocationId: f.allocationId,
        attachmentId: f.attachmentId,
        networkId: f.networkId,
        hostId: f.hostId,
        container: f.container,
        ifname: f.ifname,
        evidence: json(f.evidence),
        firstSeenAt: now,
        lastSeenAt: now,
        raisedAt: immediate ? now : null,
      })),
    });
  }

  // Pending problems that outlasted the grace period: raised.
  const toRaise = live
    .filter((l) => l.state === "pending" && byKey.has(l.key) && l.firstSeenAt.getTime() <= raiseAt)
    .map((l) => l.id);
  if (toRaise.length > 0) {
    await tx.leakFinding.updateMany({
      where: { id: { in: toRaise } },
      data: { state: "open", raisedAt: now },
    });
  }
  const raisedIds = [...toRaise];
  if (immediate && fresh.length > 0) {
    const created = await tx.leakFinding.findMany({
      where: { activeKey: { in: fresh.map((f) => f.key) } },
      select: { id: true },
    });
    raisedIds.push(...created.map((c) => c.id));
  }
  if (raisedIds.length > 0 && settings.webhookUrl)
    await queueWebhooks(tx, raisedIds, settings.webhookUrl, now);
  return { seen: byKey.size, raisedIds, resolved: goneIds.length, resolvedIds: goneIds };
}

/** One outbox row per raised finding, in the transaction that raised it. */
async function queueWebhooks(tx: Db, ids: readonly string[], url: string, now: Date): Promise<void> {
  const rows = await tx.leakFinding.findMany({ where: { id: { in: [...ids] } } });
  const dtos = await findingDtos(tx, rows);
  await tx.webhookDelivery.createMany({
    data: dtos.map((finding) => {
      const payload: LeakWebhookPayload = { event: "leak.raised", finding, sentBy: "switchyard" };
      return { url, event: payload.event, payload: json(payload), createdAt: now, nextAttemptAt: now };
    }),
  });
}

/** Open findings (or another state), newest first. */
export async function listLeaks(
  ctx: ServiceContext,
  query: { state?: LeakListState; limit?: number | undefined } = {},
) {
  const state = query.state ?? "live";
  const where =
    state === "all"
      ? {}
      : state === "live"
        ? { state: { in: ["open" as const, "pending" as const] } }
        : { state };
  const rows = await ctx.prisma.leakFinding.findMany({
    where,
    orderBy: [{ firstSeenAt: "desc" }, { id: "asc" }],
    take: Math.min(query.limit ?? 1000, 10_000),
  });
  const counts = await leakCounts(ctx.prisma);
  const last = await ctx.prisma.jobRun.findUnique({ where: { name: LEAK_CHECK_JOB } });
  return {
    findings: await findingDtos(ctx.prisma, rows),
    ...counts,
    lastCheckAt: last?.lastRunAt.toISOString() ?? null,
  };
}

export async function leakCounts(db: Db): Promise<{ open: number; pending: number }> {
  const rows = await db.leakFinding.groupBy({
    by: ["state"],
    where: { state: { in: ["open", "pending"] } },
    _count: { _all: true },
  });
  const n = (s: string) => rows.find((r) => r.state === s)?._count._all ?? 0;
  return { open: n("open"), pending: n("pending") };
}

export async function getLeak(ctx: ServiceContext, id: string): Promise<LeakFinding> {
  const row = await ctx.prisma.leakFinding.findUnique({ where: { id } });
  const [dto] = row ? await findingDtos(ctx.prisma, [row]) : [];
  if (!dto) throw notFound(`finding ${id}`, "id");
  return dto;
}
