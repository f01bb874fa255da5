import type { Logger } from "../logger";

/**
 * Runs `task` every `intervalMs`, never two runs at once; a failure is logged and the next run goes
 * ahead. Returns a stop function for shutdown. Tasks that must run on one replica only take their
 * own advisory lock; the ones scheduled here are safe on every replica.
 */
export function runPeriodically(
  name: string,
  intervalMs: number,
  task: () => Promise<unknown>,
  logger: Logger,
): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch((err: unknown) => logger.error({ err, job: name }, "periodic job failed"))
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
