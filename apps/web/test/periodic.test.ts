import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runPeriodically } from "../src/server/jobs/periodic";
import { createLogger } from "../src/server/logger";

describe("runPeriodically", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it("never overlaps two runs, keeps going after a failure, and stops", async () => {
    const logger = createLogger({ logLevel: "silent" });
    const errors = vi.spyOn(logger, "error");
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release: (() => void) | undefined;
    const stop = runPeriodically(
      "test",
      100,
      async () => {
        runs += 1;
        running += 1;
        maxRunning = Math.max(maxRunning, running);
        if (runs === 1) await new Promise<void>((r) => (release = r));
        running -= 1;
        if (runs === 2) throw new Error("boom");
      },
      logger,
    );
    await vi.advanceTimersByTimeAsync(350); // the first run is still busy: ticks 2 and 3 are skipped
    expect(runs).toBe(1);
    release?.();
    await vi.advanceTimersByTimeAsync(100); // run 2 fails
    await vi.advanceTimersByTimeAsync(100); // run 3 goes ahead anyway
    expect(runs).toBe(3);
    expect(maxRunning).toBe(1);
    expect(errors).toHaveBeenCalledTimes(1);
    stop();
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(3);
  });
});
