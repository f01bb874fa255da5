import type { AgentAckError, Inventory } from "@switchyard/protocol";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../src/logger";
import { startReporter } from "../src/reporter";
import { inventoryWith } from "./inventory-fixture";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("startReporter and a refused inventory", () => {
  it("logs the server's reason once per inventory, keeps offering it, and stops once one is accepted", async () => {
    const logs: Record<string, unknown>[] = [];
    const logger = createLogger({ level: "debug", write: (line) => logs.push(JSON.parse(line)) });
    const refusal: AgentAckError = {
      code: "validation_failed",
      message: "inventory is invalid: not an IPv4 address",
      field: "inventory.interfaces.0.addresses.0.address",
    };
    let names = ["eth0"];
    let refuse = true;
    const sent: Inventory[] = [];
    const reporter = startReporter({
      collect: async () => inventoryWith(names),
      sendInventory: async (inv) => {
        sent.push(inv);
        return refuse ? refusal : true;
      },
      sendHeartbeat: async () => true,
      pollIntervalMs: 1000,
      heartbeatIntervalMs: 60_000,
      appliedSerial: () => 0,
      logger,
    });
    await reporter.firstReport;
    await vi.advanceTimersByTimeAsync(3000);
    const refusals = () => logs.filter((l) => l.level === "error" && /refused/.test(String(l.msg)));
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(refusals()).toHaveLength(1);
    expect(refusals()[0]).toMatchObject({
      code: "validation_failed",
      field: "inventory.interfaces.0.addresses.0.address",
      reason: "inventory is invalid: not an IPv4 address",
    });
    names = ["eth0", "eth1"];
    await vi.advanceTimersByTimeAsync(1000);
    expect(refusals()).toHaveLength(2);
    refuse = false;
    await vi.advanceTimersByTimeAsync(1000);
    const accepted = sent.length;
    await vi.advanceTimersByTimeAsync(3000);
    expect(sent.length).toBe(accepted);
    expect(refusals()).toHaveLength(2);
    reporter.stop();
  });

  it("a send that was not acknowledged (false) is retried without claiming a refusal", async () => {
    const logs: Record<string, unknown>[] = [];
    const logger = createLogger({ level: "debug", write: (line) => logs.push(JSON.parse(line)) });
    let calls = 0;
    const reporter = startReporter({
      collect: async () => inventoryWith(["eth0"]),
      sendInventory: async () => ++calls > 2,
      sendHeartbeat: async () => true,
      pollIntervalMs: 1000,
      heartbeatIntervalMs: 60_000,
      appliedSerial: () => 0,
      logger,
    });
    await reporter.firstReport;
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(3);
    expect(logs.filter((l) => l.level === "error")).toEqual([]);
    reporter.stop();
  });
});
