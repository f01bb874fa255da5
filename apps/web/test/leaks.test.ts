import type { LeakFinding } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { leaksNavLabel, releaseItems, sortFindings, whereOf } from "../src/ui/leaks/leak-rows";

const finding = (over: Partial<LeakFinding>): LeakFinding => ({
  id: "f1",
  kind: "container_gone",
  state: "open",
  poolId: "p1",
  poolName: "lan",
  address: "10.0.0.5",
  allocationId: "a1",
  attachmentId: "t1",
  networkId: "n1",
  networkName: "lan",
  hostId: "h1",
  hostName: "host-1",
  container: "docker:con1",
  ifname: "eth1",
  evidence: {
    detail: "gone",
    hostStatus: "online",
    hostLastSeenAt: null,
    inventoryCollectedAt: null,
    inventoryReceivedAt: null,
    containerState: null,
    expected: null,
    seen: [],
  },
  firstSeenAt: "2026-11-27T20:00:00.000Z",
  lastSeenAt: "2026-11-27T20:05:00.000Z",
  raisedAt: null,
  resolvedAt: null,
  releasedAt: null,
  releaseId: null,
  probe: null,
  releasable: true,
  ...over,
});

describe("leaks page helpers", () => {
  it("sorts open before pending, newest first", () => {
    const rows = sortFindings([
      finding({ id: "p", state: "pending", firstSeenAt: "2026-11-27T21:00:00.000Z" }),
      finding({ id: "o1", firstSeenAt: "2026-11-27T19:00:00.000Z" }),
      finding({ id: "o2", firstSeenAt: "2026-11-27T20:00:00.000Z" }),
    ]);
    expect(rows.map((r) => r.id)).toEqual(["o2", "o1", "p"]);
  });

  it("releases each selected releasable (pool, address) once", () => {
    const rows = [
      finding({ id: "a" }),
      finding({ id: "b", kind: "host_offline" }),
      finding({ id: "c", address: "10.0.0.6" }),
      finding({ id: "d", address: "10.0.0.7", releasable: false, kind: "unknown_address" }),
    ];
    expect(releaseItems(rows, new Set(["a", "b", "d"]))).toEqual([{ pool: "p1", address: "10.0.0.5" }]);
    expect(releaseItems(rows, new Set(["a", "c"]))).toHaveLength(2);
  });

  it("names where the address is and counts open findings in the nav", () => {
    expect(whereOf(finding({}))).toBe("host-1 / docker:con1 / eth1");
    expect(whereOf(finding({ container: null, ifname: "br1" }))).toBe("host-1 / br1");
    expect(leaksNavLabel(0)).toBe("Leaks");
    expect(leaksNavLabel(3)).toBe("Leaks (3)");
  });
});

describe("leak settings", () => {
  it("parses LEAK_* from the environment, with defaults", async () => {
    const { loadConfig } = await import("../src/server/config");
    const d = loadConfig({});
    expect([d.leakCheckIntervalMs, d.leakGraceMs, d.hostOfflineGraceMs, d.leakWebhookUrl]).toEqual([
      30_000,
      60_000,
      300_000,
      null,
    ]);
    const c = loadConfig({
      LEAK_CHECK_INTERVAL: "5s",
      LEAK_GRACE: "0",
      HOST_OFFLINE_GRACE: "2m",
      LEAK_WEBHOOK_URL: "http://127.0.0.1:9000/hook",
    });
    expect([c.leakCheckIntervalMs, c.leakGraceMs, c.hostOfflineGraceMs, c.leakWebhookUrl]).toEqual([
      5_000,
      0,
      120_000,
      "http://127.0.0.1:9000/hook",
    ]);
    expect(() => loadConfig({ LEAK_WEBHOOK_URL: "not a url" })).toThrow(/LEAK_WEBHOOK_URL/);
    expect(() => loadConfig({ LEAK_CHECK_INTERVAL: "0" })).toThrow(/LEAK_CHECK_INTERVAL/);
  });
});

describe("graph highlight", () => {
  it("marks the leaked container, and the host of a gone container; leaves the rest untouched", async () => {
    const { markLeaks } = await import("../src/ui/leaks/graph-highlight");
    const node = (id: string, kind: "host" | "container", hostId: string, name: string) => ({
      group: "nodes" as const,
      data: {
        id,
        kind,
        label: name,
        hostId,
        hostName: hostId,
        name,
        ...(kind === "container" ? { containerId: `${name}-id` } : {}),
      },
      classes: kind,
    });
    const elements = [
      node("host/h1", "host", "h1", "h1"),
      node("c1", "container", "h1", "con1"),
      node("c2", "container", "h1", "con2"),
      node("host/h2", "host", "h2", "h2"),
    ];
    const marked = markLeaks(elements, [
      finding({ id: "a", kind: "interface_missing", hostId: "h1", container: "docker:con1" }),
      finding({ id: "b", kind: "container_gone", hostId: "h2", container: "docker:gone" }),
      finding({
        id: "c",
        kind: "address_mismatch",
        hostId: "h1",
        container: "docker:con2",
        state: "pending",
      }),
    ]);
    expect(marked.map((e) => e.classes)).toEqual(["host", "container leak", "container", "host leak-host"]);
    expect(marked[2]).toBe(elements[2]);
  });
});
