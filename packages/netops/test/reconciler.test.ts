/**
 * The host engine without a host: every command goes to a recording fake (reads answer "nothing
 * there", writes succeed), so what a push touches is exactly the list of commands it ran.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DesiredStateInput } from "@switchyard/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { hostIfname } from "../src/drivers";
import type { Exec } from "../src/exec";
import { Reconciler } from "../src/reconcile";

const netnsDir = mkdtempSync(join(tmpdir(), "sy-engine-test-"));
for (let i = 0; i < 40; i++) writeFileSync(join(netnsDir, `c${i}`), "");
afterAll(() => rmSync(netnsDir, { recursive: true, force: true }));

/** Commands run, with how many ran at once; a command inside a container listed in `slow` takes `slowMs`. */
function fakeHost(slow: Record<string, number> = {}, delayMs = 0) {
  const calls: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const exec: Exec = async (argv) => {
    const line = argv.join(" ");
    calls.push(line);
    running += 1;
    maxRunning = Math.max(maxRunning, running);
    try {
      const ns = /--net=\S*\/(c\d+)/.exec(line)?.[1];
      const wait = (ns ? slow[ns] : undefined) ?? delayMs;
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      return { stdout: line.includes("-j") ? "[]" : "", stderr: "" };
    } finally {
      running -= 1;
    }
  };
  return {
    exec,
    calls,
    maxRunning: () => maxRunning,
    reset: () => {
      calls.length = 0;
      maxRunning = 0;
    },
  };
}

const flat = { id: "flat", name: "flat", driver: "bridge" as const, bridgeName: "br0", prefixLength: 24 };
const ep = (i: number, extra: object = {}) => ({
  id: `e${i}`,
  networkId: "flat",
  container: { runtime: "netns" as const, ref: `c${i}` },
  address: `10.0.0.${i + 1}`,
  ...extra,
});
let serial = 0;
const state = (endpoints: DesiredStateInput["endpoints"]): DesiredStateInput => ({
  serial: ++serial,
  networks: [flat],
  endpoints,
});
const inNs = (calls: string[], i: number) => calls.filter((c) => c.includes(`${netnsDir}/c${i} `));

describe("a push applies only what changed", () => {
  it("a new endpoint: no command touches the endpoints already applied, and every result is answered", async () => {
    const host = fakeHost();
    const engine = new Reconciler({ exec: host.exec, netnsDir });
    const first = await engine.apply(state([ep(1), ep(2)]));
    expect(first?.results.map((r) => r.status)).toEqual(["applied", "applied"]);
    expect(inNs(host.calls, 1).length).toBeGreaterThan(0);
    host.reset();

    const second = await engine.apply(state([ep(1), ep(2), ep(3)]));
    expect(second?.results.map((r) => [r.endpointId, r.status])).toEqual([
      ["e1", "applied"],
      ["e2", "applied"],
      ["e3", "applied"],
    ]);
    expect(inNs(host.calls, 1)).toEqual([]);
    expect(inNs(host.calls, 2)).toEqual([]);
    expect(inNs(host.calls, 3).length).toBeGreaterThan(0);
    expect(host.calls.filter((c) => c.includes(hostIfname("e1")) || c.includes(hostIfname("e2")))).toEqual(
      [],
    );
    // the network did not change: not even looked at again
    expect(host.calls.filter((c) => c.includes("br0") && !c.includes(hostIfname("e3")))).toEqual([]);
    expect(second?.events.map((e) => e.endpointId)).toEqual(["e3"]);
  });

  it("a removed endpoint is removed alone; a changed one is repaired alone; the same state again runs nothing", async () => {
    const host = fakeHost();
    const engine = new Reconciler({ exec: host.exec, netnsDir });
    await engine.apply(state([ep(1), ep(2), ep(3)]));
    host.reset();
    const removed = await engine.apply(state([ep(1), ep(3)]));
    expect(host.calls).toEqual([`ip link del ${hostIfname("e2")}`]);
    expect(removed?.events).toEqual([expect.objectContaining({ kind: "removed", endpointId: "e2" })]);
    expect(engine.store.get("e2")).toBeUndefined();
    host.reset();
    await engine.apply(state([ep(1), ep(3, { address: "10.0.0.99" })]));
    expect(inNs(host.calls, 1)).toEqual([]);
    expect(inNs(host.calls, 3).length).toBeGreaterThan(0);
    host.reset();
    const again = await engine.apply(state([ep(1), ep(3, { address: "10.0.0.99" })]));
    expect(host.calls).toEqual([]);
    expect(again?.results).toHaveLength(2);
  });

  it("a failed endpoint is tried again at the next push; the full verification touches everything", async () => {
    const host = fakeHost();
    const engine = new Reconciler({ exec: host.exec, netnsDir });
    const ghost = { ...ep(5), container: { runtime: "netns" as const, ref: "nosuch" } };
    const r1 = await engine.apply(state([ep(1), ghost]));
    expect(r1?.results.find((r) => r.endpointId === "e5")?.status).toBe("failed");
    host.reset();
    const r2 = await engine.apply(state([ep(1), ghost, ep(2)]));
    expect(r2?.results.find((r) => r.endpointId === "e5")?.error).toContain("not found");
    expect(inNs(host.calls, 1)).toEqual([]);
    host.reset();
    const full = await engine.verify();
    expect(full?.results.map((r) => r.endpointId).sort()).toEqual(["e1", "e2", "e5"]);
    expect(inNs(host.calls, 1).length).toBeGreaterThan(0);
    expect(inNs(host.calls, 2).length).toBeGreaterThan(0);
    host.reset();
    const some = await engine.verify(new Set(["e2"]));
    expect(some?.results.map((r) => r.endpointId)).toEqual(["e2"]);
    expect(inNs(host.calls, 1)).toEqual([]);
  });

  it("endpoints kept (unparseable on the agent) are never removed as no longer desired", async () => {
    const host = fakeHost();
    const engine = new Reconciler({ exec: host.exec, netnsDir });
    await engine.apply(state([ep(1), ep(2)]));
    host.reset();
    await engine.apply(state([ep(1)]), { keep: new Set(["e2"]) });
    expect(host.calls).toEqual([]);
    await engine.verify();
    expect(host.calls.filter((c) => c.includes(hostIfname("e2")) && c.includes("del"))).toEqual([]);
    expect(engine.store.get("e2")).toBeDefined();
  });
});

describe("concurrency on the host", () => {
  it("endpoints of different containers run in parallel, at most `concurrency` at once", async () => {
    const host = fakeHost({}, 15);
    const engine = new Reconciler({ exec: host.exec, netnsDir, concurrency: 4, options: { garpCount: 0 } });
    const result = await engine.apply(state(Array.from({ length: 16 }, (_, i) => ep(i))));
    expect(result?.results.every((r) => r.status === "applied")).toBe(true);
    expect(host.maxRunning()).toBe(4);
  });

  it("a slow container never holds up a push for another container", async () => {
    const host = fakeHost({ c7: 400 });
    const engine = new Reconciler({ exec: host.exec, netnsDir });
    await engine.apply(state([ep(1)]));
    const order: string[] = [];
    const slow = engine.apply(state([ep(1), ep(7)])).then((r) => {
      order.push("slow");
      return r;
    });
    await new Promise((res) => setTimeout(res, 20));
    const fast = engine.apply(state([ep(1), ep(7), ep(8)])).then((r) => {
      order.push("fast");
      return r;
    });
    const [rs, rf] = await Promise.all([slow, fast]);
    expect(order).toEqual(["fast", "slow"]);
    // the fast push answers for what it knows; the endpoint still being made is answered by its own push
    expect(rf?.results.map((r) => r.endpointId)).toEqual(["e1", "e8"]);
    expect(rs?.results.map((r) => [r.endpointId, r.status])).toEqual([
      ["e1", "applied"],
      ["e7", "applied"],
    ]);
  });

  it("an endpoint removed while an earlier push is still making it is removed once made", async () => {
    const host = fakeHost({ c9: 150 });
    const engine = new Reconciler({ exec: host.exec, netnsDir });
    await engine.apply(state([ep(1)]));
    const making = engine.apply(state([ep(1), ep(9)]));
    await new Promise((res) => setTimeout(res, 20));
    const removing = await engine.apply(state([ep(1)]));
    await making;
    expect(removing?.events).toContainEqual(expect.objectContaining({ kind: "removed", endpointId: "e9" }));
    expect(host.calls.at(-1)).toBe(`ip link del ${hostIfname("e9")}`);
    expect(engine.store.get("e9")).toBeUndefined();
  });

  it("gratuitous ARP is held back until runDeferred, then sent off the apply's path", async () => {
    const host = fakeHost();
    const engine = new Reconciler({ exec: host.exec, netnsDir, deferGarp: true, options: { garpCount: 1 } });
    const result = await engine.apply(state([ep(3)]));
    expect(result?.results[0]?.status).toBe("applied");
    expect(host.calls.filter((c) => c.includes("arping"))).toEqual([]);
    engine.runDeferred();
    await new Promise((res) => setTimeout(res, 10));
    expect(host.calls.filter((c) => c.includes("arping"))).toEqual([
      expect.stringContaining("arping -U -c 1 -I eth1 10.0.0.4"),
    ]);
  });

  it("a full verification waits behind pushes, not the other way round", async () => {
    const host = fakeHost({}, 5);
    const engine = new Reconciler({ exec: host.exec, netnsDir, concurrency: 2 });
    await engine.apply(state(Array.from({ length: 20 }, (_, i) => ep(i))));
    let verified = 0;
    const verify = engine.verify().then(() => {
      verified = performance.now();
    });
    await new Promise((res) => setTimeout(res, 15));
    const pushed = await engine.apply(state([...Array.from({ length: 20 }, (_, i) => ep(i)), ep(30)]));
    const pushedAt = performance.now();
    await verify;
    expect(pushed?.results.find((r) => r.endpointId === "e30")?.status).toBe("applied");
    expect(pushedAt).toBeLessThan(verified);
  });
});

describe("host events", () => {
  it("maps link names to the endpoints they concern, a network's link to everything, fresh ones left out", async () => {
    const host = fakeHost();
    const engine = new Reconciler({ exec: host.exec, netnsDir });
    await engine.apply(state([ep(1), ep(2)]));
    expect(engine.affectedByLinks([hostIfname("e1")])).toEqual(new Set());
    expect(engine.affectedByLinks(["br0"])).toBe("all");
    expect(engine.affectedByLinks(["eth0", "docker0"])).toEqual(new Set());
    expect(engine.endpointsIn("netns", ["c2"])).toEqual(new Set(["e2"]));
  });
});
