import type { Heartbeat, Inventory } from "@switchyard/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../src/logger";
import { HINT_DEBOUNCE_MS, startReporter } from "../src/reporter";
import { inventoryWith } from "./inventory-fixture";

const logger = createLogger({ level: "error", write: () => {} });

const inventory = (ifaces: string[], collectedAt?: string): Inventory =>
  inventoryWith(ifaces, "h1", collectedAt);

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("startReporter", () => {
  it("sends a full inventory at once, then only changes, plus heartbeats", async () => {
    let current = ["eth0"];
    const sent: Inventory[] = [];
    const heartbeats: Heartbeat[] = [];
    const reporter = startReporter({
      collect: async () => inventory(current),
      sendInventory: async (inv) => {
        sent.push(inv);
        return true;
      },
      sendHeartbeat: async (hb) => {
        heartbeats.push(hb);
        return true;
      },
      pollIntervalMs: 1000,
      heartbeatIntervalMs: 5000,
      appliedSerial: () => 7,
      logger,
    });
    await reporter.firstReport;
    expect(sent).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(3500);
    expect(sent).toHaveLength(1);
    current = ["eth0", "veth1"];
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.interfaces.map((i) => i.name)).toEqual(["eth0", "veth1"]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(sent).toHaveLength(2);
    expect(heartbeats).toHaveLength(1);
    expect(heartbeats[0]?.appliedSerial).toBe(7);
    reporter.stop();
    current = ["other"];
    await vi.advanceTimersByTimeAsync(20_000);
    expect(sent).toHaveLength(2);
    expect(heartbeats).toHaveLength(1);
  });

  it("resends an unchanged inventory after a failed send, and survives a failing reader", async () => {
    let fail = true;
    let readerBroken = false;
    const attempts: Inventory[] = [];
    const reporter = startReporter({
      collect: async () => {
        if (readerBroken) throw new Error("ip: command not found");
        return inventory(["eth0"]);
      },
      sendInventory: async (inv) => {
        attempts.push(inv);
        if (fail) throw new Error("ack timeout");
        return true;
      },
      sendHeartbeat: async () => true,
      pollIntervalMs: 1000,
      heartbeatIntervalMs: 60_000,
      appliedSerial: () => 0,
      logger,
    });
    await reporter.firstReport;
    expect(attempts).toHaveLength(1);
    fail = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(attempts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(attempts).toHaveLength(2);
    readerBroken = true;
    await vi.advanceTimersByTimeAsync(2000);
    readerBroken = false;
    await vi.advanceTimersByTimeAsync(1000);
    expect(attempts).toHaveLength(2);
    reporter.stop();
  });

  it("a hint makes it look again within the debounce instead of at the next poll; never two collections at once", async () => {
    let current = ["eth0"];
    let collecting = 0;
    let maxCollecting = 0;
    let collections = 0;
    const sent: Inventory[] = [];
    const reporter = startReporter({
      collect: async () => {
        collections += 1;
        collecting += 1;
        maxCollecting = Math.max(maxCollecting, collecting);
        await new Promise((r) => setTimeout(r, 50));
        collecting -= 1;
        return inventory(current);
      },
      sendInventory: async (inv) => {
        sent.push(inv);
        return true;
      },
      sendHeartbeat: async () => true,
      pollIntervalMs: 60_000,
      heartbeatIntervalMs: 60_000,
      appliedSerial: () => 0,
      logger,
    });
    reporter.hint(); // during the first report: remembered, not a second collection
    await vi.advanceTimersByTimeAsync(60);
    await reporter.firstReport;
    expect(collections).toBe(1);
    current = ["eth0", "veth1"];
    await vi.advanceTimersByTimeAsync(HINT_DEBOUNCE_MS + 60); // the remembered hint
    expect(collections).toBe(2);
    expect(sent.map((i) => i.interfaces.length)).toEqual([1, 2]);

    current = ["eth0"];
    for (let i = 0; i < 5; i++) reporter.hint(); // a burst of events: one look
    await vi.advanceTimersByTimeAsync(HINT_DEBOUNCE_MS + 60);
    expect(collections).toBe(3);
    expect(sent.map((i) => i.interfaces.length)).toEqual([1, 2, 1]);
    expect(maxCollecting).toBe(1);
    reporter.stop();
  });
});
