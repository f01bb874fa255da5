import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { monitorArgv, startLinkMonitor } from "../src/link-monitor";
import { createLogger } from "../src/logger";

// Root: a namespace of this run's own, watched through `ip netns exec`, as an agent with --netns does.
const netns = `sylm${process.pid.toString(36)}`;
const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "ignore", timeout: 10_000 });

afterAll(() => {
  try {
    ip("netns", "del", netns);
  } catch {
    // never created
  }
});

describe("link monitor", () => {
  it("builds the monitor command inside the managed namespace", () => {
    expect(monitorArgv(undefined)).toEqual(["ip", "-o", "monitor", "link", "address"]);
    expect(monitorArgv("h1")).toEqual([
      "ip",
      "netns",
      "exec",
      "h1",
      "ip",
      "-o",
      "monitor",
      "link",
      "address",
    ]);
  });

  it("reports a veth created and an address added in the watched namespace", async () => {
    ip("netns", "add", netns);
    let changes = 0;
    const monitor = startLinkMonitor({
      netns,
      onChange: () => {
        changes += 1;
      },
      logger: createLogger({ level: "error", write: () => {} }),
    });
    try {
      await new Promise((r) => setTimeout(r, 300)); // ip monitor subscribes
      expect(changes).toBe(0);
      ip("-n", netns, "link", "add", "lm0", "type", "veth", "peer", "name", "lm1");
      ip("-n", netns, "addr", "add", "10.253.0.1/30", "dev", "lm0");
      const deadline = Date.now() + 5_000;
      while (changes === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(changes).toBeGreaterThan(0);
    } finally {
      monitor.stop();
    }
  });
});
