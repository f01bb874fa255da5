/**
 * Collects ids (hosts whose inventory or attachments changed) and hands them over at most once per
 * `delayMs`: a fleet reporting every second costs one small request per window, not one per event.
 * The scheduler is injectable so the unit tests run without timers.
 */
export interface Coalescer {
  add(id: string): void;
  /** Stops: pending ids are dropped. */
  cancel(): void;
}

export function createCoalescer(
  flush: (ids: string[]) => void,
  delayMs = 250,
  schedule: (fn: () => void, ms: number) => () => void = (fn, ms) => {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
): Coalescer {
  let pending = new Set<string>();
  let cancelTimer: (() => void) | null = null;
  return {
    add(id) {
      pending.add(id);
      if (cancelTimer) return;
      cancelTimer = schedule(() => {
        cancelTimer = null;
        const ids = [...pending];
        pending = new Set();
        if (ids.length > 0) flush(ids);
      }, delayMs);
    },
    cancel() {
      cancelTimer?.();
      cancelTimer = null;
      pending = new Set();
    },
  };
}
