import type { Prisma } from "@switchyard/db";
import type { PoolExhaustionWebhookPayload } from "@switchyard/protocol";
import type { ServiceContext } from "../context";
import { alertStep } from "./forecast";
import { alertDto, type OutlookSettings, outlookExtras, outlookOf, outlookSummary } from "./outlook";
import { planOf } from "./pool-record";
import { countsOf, poolCounts } from "./usage";

export const POOL_EXHAUSTION_JOB = "pool-exhaustion";
/** Its own advisory lock: one replica checks at a time, and never beside itself. */
const POOL_EXHAUSTION_LOCK_KEY = 727006;

export interface ExhaustionSettings extends OutlookSettings {
  /** LEAK_WEBHOOK_URL: one POST per raised episode; null: none. */
  webhookUrl: string | null;
}

export interface ExhaustionCheckOutcome {
  /** False when another replica held the lock (this run did nothing). */
  ran: boolean;
  /** Names of the pools whose episode this run raised (each with a webhook queued when a URL is set). */
  raised: string[];
  resolved: string[];
}

const json = (value: unknown) => value as Prisma.InputJsonValue;

/**
 * Forecasts every pool (the list's grouped queries, a fixed number whatever the pool count) and keeps
 * one episode per pool: raised when its first failure comes within the horizon, with one webhook
 * delivery in the same transaction; kept (its forecast refreshed) while within twice the horizon;
 * resolved after. A new episode can only start after the last one resolved, so it alerts once.
 */
export async function checkPoolExhaustion(
  ctx: ServiceContext,
  settings: ExhaustionSettings,
): Promise<ExhaustionCheckOutcome> {
  const started = performance.now();
  const out = await ctx.prisma.$transaction(
    async (tx) => {
      const [lock] = await tx.$queryRaw<{ ok: boolean }[]>`
        SELECT pg_try_advisory_xact_lock(${POOL_EXHAUSTION_LOCK_KEY}) AS ok`;
      if (lock?.ok !== true) return null;
      const now = ctx.now();
      const [pools, counts, extras] = await Promise.all([
        tx.addressPool.findMany({ orderBy: { name: "asc" } }),
        poolCounts(tx, "all", now),
        outlookExtras(tx, "all", now),
      ]);
      const raised: string[] = [];
      const resolved: string[] = [];
      for (const pool of pools) {
        const plan = planOf(pool);
        const outlook = outlookSummary(
          outlookOf(pool, plan, countsOf(counts, pool.id), extras, now, settings),
        );
        const open = extras.alerts.get(pool.id);
        const step = alertStep(outlook.failsAt, now, settings.horizonMs, open !== undefined);
        if (step === "raise" && outlook.failsAt && outlook.failsBecause) {
          const row = await tx.poolExhaustionAlert.create({
            data: {
              poolId: pool.id,
              activeKey: pool.id,
              reason: outlook.failsBecause,
              raisedAt: now,
              failsAt: new Date(outlook.failsAt),
              lastSeenAt: now,
              outlook: json(outlook),
            },
          });
          raised.push(pool.name);
          const alert = alertDto(row);
          if (settings.webhookUrl && alert) {
            const payload: PoolExhaustionWebhookPayload = {
              event: "pool.exhaustion",
              pool: { id: pool.id, name: pool.name, cidr: pool.cidr },
              alert,
              outlook,
              sentBy: "switchyard",
            };
            await tx.webhookDelivery.create({
              data: {
                url: settings.webhookUrl,
                event: payload.event,
                payload: json(payload),
                createdAt: now,
                nextAttemptAt: now,
              },
            });
          }
        } else if (step === "keep" && open) {
          await tx.poolExhaustionAlert.update({
            where: { id: open.id },
            data: {
              lastSeenAt: now,
              outlook: json(outlook),
              ...(outlook.failsAt && outlook.failsBecause
                ? { failsAt: new Date(outlook.failsAt), reason: outlook.failsBecause }
                : {}),
            },
          });
        } else if (step === "resolve" && open) {
          await tx.poolExhaustionAlert.update({
            where: { id: open.id },
            data: { activeKey: null, resolvedAt: now, lastSeenAt: now, outlook: json(outlook) },
          });
          resolved.push(pool.name);
        }
      }
      return { now, pools: pools.length, raised, resolved };
    },
    { maxWait: 60_000, timeout: 120_000 },
  );
  if (!out) return { ran: false, raised: [], resolved: [] };
  const summary = json({ pools: out.pools, raised: out.raised.length, resolved: out.resolved.length });
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  await ctx.prisma.jobRun.upsert({
    where: { name: POOL_EXHAUSTION_JOB },
    create: { name: POOL_EXHAUSTION_JOB, lastRunAt: out.now, durationMs, summary },
    update: { lastRunAt: out.now, durationMs, summary },
  });
  return { ran: true, raised: out.raised, resolved: out.resolved };
}
