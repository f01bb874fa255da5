import {
  deliverWebhooks,
  type LeakSettings,
  runLeakCheck,
  type ServiceContext,
  type WebhookOptions,
} from "@switchyard/control";
import type { Logger } from "../logger";

export interface LeakJobsOptions {
  services: ServiceContext;
  settings: LeakSettings;
  /** LEAK_CHECK_INTERVAL */
  intervalMs: number;
  /** How often the webhook outbox is looked at. */
  webhookPollMs?: number;
  webhook?: WebhookOptions;
  /** Broadcast to browsers (any replica). */
  leaksChanged(changedIds: readonly string[]): void;
  logger: Logger;
}

export interface LeakJobs {
  /** One periodic run now (skipped when another replica holds the lock); resolves when done. */
  checkNow(): Promise<void>;
  /** One webhook delivery pass now. */
  deliverNow(): Promise<void>;
  stop(): void;
}

/**
 * The leak check every LEAK_CHECK_INTERVAL: every replica tries, the one that gets the Postgres
 * advisory lock runs it, the others skip that round. The webhook outbox is drained by every replica
 * (each delivery is claimed first, so none is sent twice at once).
 */
export function startLeakJobs(options: LeakJobsOptions): LeakJobs {
  const { services, settings, logger } = options;
  const log = logger.child({ component: "leaks" });
  let stopped = false;
  let checking: Promise<void> | null = null;
  let delivering: Promise<void> | null = null;

  const deliverNow = (): Promise<void> => {
    // Deliveries queued earlier (with their URL) still go out; cheap when the outbox is empty.
    delivering ??= (async () => {
      try {
        const r = await deliverWebhooks(services, options.webhook);
        if (r.attempted > 0) log.info(r, "leak webhook deliveries");
      } catch (err) {
        log.error({ err }, "leak webhook delivery failed");
      } finally {
        delivering = null;
      }
    })();
    return delivering;
  };

  const checkNow = (): Promise<void> => {
    checking ??= (async () => {
      try {
        const out = await runLeakCheck(services, settings, { skipIfBusy: true });
        if (!out.result) {
          log.debug("leak check skipped: another replica is running it");
          return;
        }
        if (out.raised.length > 0)
          log.warn(
            { raised: out.raised.map((f) => ({ kind: f.kind, address: f.address, host: f.hostName })) },
            "leaked addresses found",
          );
        if (out.changedIds.length > 0) options.leaksChanged(out.changedIds);
        if (out.raised.length > 0) void deliverNow();
      } catch (err) {
        log.error({ err }, "leak check failed");
      } finally {
        checking = null;
      }
    })();
    return checking;
  };

  const checkTimer = setInterval(() => {
    if (!stopped) void checkNow();
  }, options.intervalMs);
  const webhookTimer = setInterval(() => {
    if (!stopped) void deliverNow();
  }, options.webhookPollMs ?? 1_000);
  checkTimer.unref();
  webhookTimer.unref();
  return {
    checkNow,
    deliverNow,
    stop() {
      stopped = true;
      clearInterval(checkTimer);
      clearInterval(webhookTimer);
    },
  };
}
