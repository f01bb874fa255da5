import type { ServiceContext } from "../context";

export interface WebhookOptions {
  fetch?: typeof fetch;
  /** First retry after this long, doubling up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** One POST is given up after this long. */
  timeoutMs?: number;
  /** At most this many deliveries per run, each claimed on its own just before it is sent. */
  batch?: number;
  /**
   * How long a claim lasts: another run sends the delivery again after this if its sender died.
   * Never less than 2 x timeoutMs + LEASE_GUARD_MS (see webhookLeaseMs), so a live sender always
   * finishes inside its claim.
   */
  leaseMs?: number;
}

/** Kept free at the end of every claim: the record round trip and clock skew between replicas. */
const LEASE_GUARD_MS = 5_000;

/**
 * The lease of one claim: its POST (timeoutMs), the claim's own round trips before it (up to another
 * timeoutMs; the POST is cut short if they took longer) and the guard.
 */
const webhookLeaseMs = (timeoutMs: number, leaseMs?: number): number =>
  Math.max(leaseMs ?? 60_000, 2 * timeoutMs + LEASE_GUARD_MS);

export interface WebhookRunResult {
  attempted: number;
  delivered: number;
  failed: number;
  /**
   * Answers not recorded because the claim had passed to another run meanwhile (this sender stalled past
   * its lease): the new owner sends and records again; receivers dedupe on x-switchyard-delivery.
   */
  lost: number;
}

/** Delay before attempt n+1 after n failed attempts. */
export const webhookBackoff = (attempts: number, baseMs: number, maxMs: number): number =>
  Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));

/**
 * Claims the next due delivery: moves its next attempt to the end of the lease. The lease end is the
 * claim's token: every later claim sets a later one (it is only taken once the previous lease is over,
 * by the claimer's clock), so "nextAttemptAt still equals my lease" means "still mine".
 */
async function claimNext(ctx: ServiceContext, leaseMs: number): Promise<{ id: string; lease: Date } | null> {
  const now = ctx.now();
  const lease = new Date(now.getTime() + leaseMs);
  const claimed = await ctx.prisma.$queryRaw<{ id: string }[]>`
    UPDATE "WebhookDelivery" SET "nextAttemptAt" = ${lease.toISOString()}::timestamptz AT TIME ZONE 'UTC'
    WHERE "id" = (
      SELECT "id" FROM "WebhookDelivery"
      WHERE "deliveredAt" IS NULL AND "nextAttemptAt" <= ${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'
      ORDER BY "nextAttemptAt", "createdAt" LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING "id"`;
  const id = claimed[0]?.id;
  return id ? { id, lease } : null;
}

/**
 * Sends due webhook deliveries from the outbox, one claim per delivery (a claim never covers more
 * than the one POST it was taken for, however slow the receiver), so replicas running this at once
 * never send the same delivery twice. A delivery counts as delivered on a 2xx answer only, otherwise it
 * is retried with exponential backoff, forever. Every POST carries `x-switchyard-delivery` (the
 * delivery's id, the same on every retry) for receivers to dedupe on, and `x-switchyard-event`.
 */
export async function deliverWebhooks(
  ctx: ServiceContext,
  options: WebhookOptions = {},
): Promise<WebhookRunResult> {
  const send = options.fetch ?? fetch;
  const baseMs = options.baseDelayMs ?? 1_000;
  const maxMs = options.maxDelayMs ?? 300_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = webhookLeaseMs(timeoutMs, options.leaseMs);
  const batch = options.batch ?? 50;
  const result: WebhookRunResult = { attempted: 0, delivered: 0, failed: 0, lost: 0 };
  for (let n = 0; n < batch; n++) {
    const claim = await claimNext(ctx, leaseMs);
    if (!claim) break;
    const { id, lease } = claim;
    const owned = { id, deliveredAt: null, nextAttemptAt: lease };
    const row = await ctx.prisma.webhookDelivery.findUnique({ where: { id } });
    if (!row) continue;
    // The POST must end while the claim holds, whatever the claim's own round trips took.
    const budgetMs = Math.min(timeoutMs, lease.getTime() - ctx.now().getTime() - LEASE_GUARD_MS);
    if (budgetMs <= 0) {
      await ctx.prisma.webhookDelivery.updateMany({ where: owned, data: { nextAttemptAt: ctx.now() } });
      continue;
    }
    result.attempted++;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await send(row.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-switchyard-event": row.event,
          "x-switchyard-delivery": row.id,
        },
        body: JSON.stringify(row.payload),
        signal: AbortSignal.timeout(budgetMs),
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const attempts = row.attempts + 1;
    const at = ctx.now();
    // Recorded only while the claim is still ours: a run that took the delivery over records its own.
    const { count } = await ctx.prisma.webhookDelivery.updateMany({
      where: owned,
      data:
        error === null
          ? { attempts, deliveredAt: at, lastStatus: status, lastError: null }
          : {
              attempts,
              lastStatus: status,
              lastError: error.slice(0, 1000),
              nextAttemptAt: new Date(at.getTime() + webhookBackoff(attempts, baseMs, maxMs)),
            },
    });
    if (count === 0) result.lost++;
    else if (error === null) result.delivered++;
    else result.failed++;
  }
  return result;
}
