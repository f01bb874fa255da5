import type { ServiceContext } from "../context";

export interface WebhookOptions {
  fetch?: typeof fetch;
  /** First retry after this long, doubling up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  batch?: number;
  /** A claimed delivery is retried by another run after this long if its sender died. */
  leaseMs?: number;
}

export interface WebhookRunResult {
  attempted: number;
  delivered: number;
  failed: number;
}

/** Delay before attempt n+1 after n failed attempts. */
export const webhookBackoff = (attempts: number, baseMs: number, maxMs: number): number =>
  Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));

/**
 * Sends due webhook deliveries from the outbox. Each is claimed first (its next attempt moved past a
 * lease), so replicas running this at once never send the same delivery together; a delivery counts as
 * delivered on a 2xx answer only, otherwise it is retried with exponential backoff, forever.
 */
export async function deliverWebhooks(
  ctx: ServiceContext,
  options: WebhookOptions = {},
): Promise<WebhookRunResult> {
  const send = options.fetch ?? fetch;
  const baseMs = options.baseDelayMs ?? 1_000;
  const maxMs = options.maxDelayMs ?? 300_000;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = options.leaseMs ?? Math.max(60_000, timeoutMs * 2);
  const now = ctx.now();
  const lease = new Date(now.getTime() + leaseMs);
  const claimed = await ctx.prisma.$queryRaw<{ id: string }[]>`
    UPDATE "WebhookDelivery" SET "nextAttemptAt" = ${lease.toISOString()}::timestamptz AT TIME ZONE 'UTC'
    WHERE "id" IN (
      SELECT "id" FROM "WebhookDelivery"
      WHERE "deliveredAt" IS NULL AND "nextAttemptAt" <= ${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'
      ORDER BY "nextAttemptAt", "createdAt" LIMIT ${options.batch ?? 50}
      FOR UPDATE SKIP LOCKED)
    RETURNING "id"`;
  const result: WebhookRunResult = { attempted: 0, delivered: 0, failed: 0 };
  for (const { id } of claimed) {
    const row = await ctx.prisma.webhookDelivery.findUnique({ where: { id } });
    if (!row) continue;
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
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      await res.body?.cancel().catch(() => undefined);
      if (!res.ok) error = `HTTP ${res.status}`;
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const attempts = row.attempts + 1;
    const at = ctx.now();
    if (error === null) {
      result.delivered++;
      await ctx.prisma.webhookDelivery.update({
        where: { id },
        data: { attempts, deliveredAt: at, lastStatus: status, lastError: null },
      });
    } else {
      result.failed++;
      await ctx.prisma.webhookDelivery.update({
        where: { id },
        data: {
          attempts,
          lastStatus: status,
          lastError: error.slice(0, 1000),
          nextAttemptAt: new Date(at.getTime() + webhookBackoff(attempts, baseMs, maxMs)),
        },
      });
    }
  }
  return result;
}
