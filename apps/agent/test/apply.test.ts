import type { DesiredState, DesiredStateResult } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { createApplier, type StateReconciler } from "../src/apply";
import { createLogger } from "../src/logger";

const logger = createLogger({ level: "error", write: () => {} });
const state = (serial: number): DesiredState => ({ serial, networks: [], endpoints: [] });

/** Records applies; drift on demand; like the netops Reconciler it skips superseded serials. */
function fakeReconciler() {
  let newest = -1;
  let chain: Promise<unknown> = Promise.resolve();
  const applied: number[] = [];
  const r = {
    applied,
    drift: false,
    apply(s: DesiredState): Promise<DesiredStateResult | null> {
      newest = Math.max(newest, s.serial);
      const run = chain.then(async () => {
        await new Promise((res) => setTimeout(res, 5));
        if (s.serial < newest) return null;
        applied.push(s.serial);
        const events = r.drift
          ? [{ kind: "repaired" as const, endpointId: "a", networkId: null, message: "veth recreated" }]
          : [];
        r.drift = false;
        return { serial: s.serial, results: [], events };
      });
      chain = run.catch(() => undefined);
      return run;
    },
  };
  return r satisfies StateReconciler & { applied: number[]; drift: boolean };
}

describe("desired state applier", () => {
  it("applies the newest serial, answers each applied state, ignores older and invalid ones", async () => {
    const rec = fakeReconciler();
    const applier = createApplier({ reconciler: rec, logger, reconcileIntervalMs: 0 });
    const sent: number[] = [];
    const sink = async (r: DesiredStateResult) => {
      sent.push(r.serial);
      return true;
    };
    await Promise.all([applier.receive(state(1), sink), applier.receive(state(3), sink)]);
    await applier.receive(state(2), sink);
    await applier.receive({ serial: -1 }, sink);
    expect(rec.applied).toEqual([3]);
    expect(sent).toEqual([3]);
    expect(applier.appliedSerial()).toBe(3);
    applier.stop();
  });

  it("re-applies the last state periodically and reports only when something happened", async () => {
    const rec = fakeReconciler();
    const applier = createApplier({ reconciler: rec, logger, reconcileIntervalMs: 40 });
    const sent: DesiredStateResult[] = [];
    const sink = async (r: DesiredStateResult) => {
      sent.push(r);
      return true;
    };
    applier.setSink(sink);
    await applier.receive(state(7), sink);
    await new Promise((res) => setTimeout(res, 120));
    expect(rec.applied.length).toBeGreaterThanOrEqual(2);
    expect(sent).toHaveLength(1);
    rec.drift = true;
    await new Promise((res) => setTimeout(res, 100));
    applier.stop();
    await applier.idle();
    expect(sent).toHaveLength(2);
    expect(sent[1]?.events[0]?.message).toBe("veth recreated");
  });
});

describe("drift repair mode", () => {
  it("report: neither host events nor the interval verify; repairNow does, once a state is known", async () => {
    const rec = fakeReconciler();
    const applier = createApplier({
      reconciler: rec,
      logger,
      reconcileIntervalMs: 30,
      driftRepair: "report",
    });
    const sent: DesiredStateResult[] = [];
    const sink = async (r: DesiredStateResult) => {
      sent.push(r);
      return true;
    };
    applier.setSink(sink);
    expect(applier.repairNow()).toBe(false); // nothing applied yet: nothing to verify
    await applier.receive(state(4), sink);
    rec.drift = true;
    applier.hint();
    await new Promise((res) => setTimeout(res, 400)); // past the hint debounce and several intervals
    await applier.idle();
    expect(rec.applied).toEqual([4]);
    expect(sent).toHaveLength(1);
    expect(applier.repairNow()).toBe(true);
    await applier.idle();
    expect(rec.applied).toEqual([4, 4]);
    expect(sent[1]?.events[0]?.message).toBe("veth recreated");
    applier.stop();
  });

  it("auto (the default): a host event verifies after its debounce", async () => {
    const rec = fakeReconciler();
    const applier = createApplier({ reconciler: rec, logger, reconcileIntervalMs: 0 });
    const sink = async () => true;
    await applier.receive(state(5), sink);
    rec.drift = true;
    applier.hint();
    await new Promise((res) => setTimeout(res, 400));
    await applier.idle();
    expect(rec.applied).toEqual([5, 5]);
    applier.stop();
  });
});

describe("periodic reports", () => {
  it("do not repeat the same failure every pass", async () => {
    let calls = 0;
    const rec: StateReconciler = {
      async apply(s) {
        calls += 1;
        return {
          serial: s.serial,
          results: [{ endpointId: "e1", status: "failed", error: "no such netns", hostIfname: null }],
          events: [{ kind: "error", endpointId: "e1", networkId: null, message: "no such netns" }],
        };
      },
    };
    const applier = createApplier({ reconciler: rec, logger, reconcileIntervalMs: 30 });
    const sent: DesiredStateResult[] = [];
    const sink = async (r: DesiredStateResult) => {
      sent.push(r);
      return true;
    };
    applier.setSink(sink);
    await applier.receive(state(2), sink);
    await new Promise((res) => setTimeout(res, 150));
    applier.stop();
    await applier.idle();
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(sent).toHaveLength(1);
  });
});

describe("one bad endpoint fails alone", () => {
  const good = { id: "n-ok", name: "ok", driver: "bridge", bridgeName: "br0", prefixLength: 24 };
  const badNet = {
    id: "n-vx",
    name: "vx",
    driver: "vxlan",
    bridgeName: "brvx",
    vni: 42,
    // a peer host reported a non-IP underlay address
    vxlan: { localAddress: "10.0.0.1", peers: ["not-an-ip"], dstPort: 4789 },
    prefixLength: 24,
  };
  const ep = (id: string, networkId: string, ref = "c1") => ({
    id,
    networkId,
    container: { runtime: "netns", ref },
    ifname: "eth1",
    address: "10.1.0.2",
  });

  it("applies every endpoint it can parse and fails the others each with its own error", async () => {
    const seen: { state: DesiredState; keep: string[] }[] = [];
    const rec: StateReconciler = {
      async apply(s, options) {
        seen.push({ state: s, keep: [...(options?.keep ?? [])].sort() });
        return {
          serial: s.serial,
          results: s.endpoints.map((e) => ({
            endpointId: e.id,
            status: "applied" as const,
            error: null,
            hostIfname: "syh",
          })),
          events: [],
        };
      },
    };
    const applier = createApplier({ reconciler: rec, logger, reconcileIntervalMs: 0 });
    const sent: DesiredStateResult[] = [];
    await applier.receive(
      {
        serial: 9,
        networks: [good, badNet],
        endpoints: [
          ep("e-ok", "n-ok"),
          ep("e-long", "n-ok", "x".repeat(262)),
          ep("e-vx", "n-vx"),
          ep("e-nonet", "n-missing"),
          { ...ep("e-badaddr", "n-ok"), address: "10.1.0.300" },
        ],
      },
      async (r) => {
        sent.push(r);
        return true;
      },
    );
    await applier.idle();
    applier.stop();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.state.endpoints.map((e) => e.id)).toEqual(["e-ok"]);
    expect(seen[0]?.state.networks.map((n) => n.id)).toEqual(["n-ok"]);
    // what could not be parsed is left as it is on the host, never torn down as "no longer desired"
    expect(seen[0]?.keep).toEqual(["e-badaddr", "e-long", "e-nonet", "e-vx"]);
    expect(sent).toHaveLength(1);
    const byId = new Map(sent[0]?.results.map((r) => [r.endpointId, r]));
    expect(byId.get("e-ok")?.status).toBe("applied");
    for (const id of ["e-long", "e-vx", "e-nonet", "e-badaddr"]) {
      expect(byId.get(id), id).toMatchObject({ status: "failed", hostIfname: null });
    }
    expect(byId.get("e-long")?.error).toMatch(/container\.ref/);
    expect(byId.get("e-vx")?.error).toMatch(/network vx.*vxlan\.peers\.0/);
    expect(byId.get("e-nonet")?.error).toMatch(/unknown network n-missing/);
    expect(byId.get("e-badaddr")?.error).toMatch(/address/);
  });

  it("a state whose envelope is unusable is still refused (nothing to answer)", async () => {
    let calls = 0;
    const rec: StateReconciler = {
      async apply() {
        calls += 1;
        return null;
      },
    };
    const applier = createApplier({ reconciler: rec, logger, reconcileIntervalMs: 0 });
    await applier.receive({ serial: "x", networks: [], endpoints: [] }, async () => true);
    await applier.receive({ serial: 3, networks: {}, endpoints: [] }, async () => true);
    applier.stop();
    expect(calls).toBe(0);
  });
});

describe("results are never lost", () => {
  const okReconciler = (): StateReconciler => ({
    async apply(s) {
      return {
        serial: s.serial,
        results: [{ endpointId: "e1", status: "applied", error: null, hostIfname: "syh" }],
        events: [{ kind: "created", endpointId: "e1", networkId: "n", message: "veth made" }],
      };
    },
  });

  it("a result the server refused (ack ok:false) or did not answer is sent again until acknowledged", async () => {
    const applier = createApplier({
      reconciler: okReconciler(),
      logger,
      reconcileIntervalMs: 0,
      resendDelayMs: 10,
    });
    const answers = [false, "timeout", true] as const;
    const sent: number[] = [];
    const sink = async (r: DesiredStateResult) => {
      sent.push(r.serial);
      const answer = answers[sent.length - 1] ?? true;
      if (answer === "timeout") throw new Error("operation has timed out");
      return answer;
    };
    applier.setSink(sink);
    await applier.receive(state(4), sink);
    const deadline = Date.now() + 2_000;
    while (sent.length < 3 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
    await new Promise((res) => setTimeout(res, 60));
    applier.stop();
    expect(sent).toEqual([4, 4, 4]);
    expect(applier.unacknowledged()).toBe(0);
  });

  it("an unacknowledged result goes out on the next connection, in order, before newer ones", async () => {
    const applier = createApplier({
      reconciler: okReconciler(),
      logger,
      reconcileIntervalMs: 0,
      resendDelayMs: 10_000,
    });
    const first: number[] = [];
    const down = async (r: DesiredStateResult) => {
      first.push(r.serial);
      return false;
    };
    applier.setSink(down);
    await applier.receive(state(5), down);
    expect(first).toEqual([5]);
    applier.setSink(null);
    expect(applier.unacknowledged()).toBe(1);
    const second: number[] = [];
    const up = async (r: DesiredStateResult) => {
      second.push(r.serial);
      return true;
    };
    applier.setSink(up);
    await applier.receive(state(6), up);
    const deadline = Date.now() + 2_000;
    while (second.length < 2 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
    applier.stop();
    expect(second).toEqual([5, 6]);
    expect(applier.unacknowledged()).toBe(0);
  });
});

describe("link monitor output", () => {
  it("names the interfaces an event mentions", async () => {
    const { monitoredNames } = await import("../src/link-monitor");
    expect(
      monitoredNames(
        [
          "25: sy0123abcdh@if24: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master br0",
          "Deleted 26: sy99887766h@if3: <BROADCAST,MULTICAST> mtu 1500",
          "4: eth1    inet 10.0.0.1/24 scope global eth1\\       valid_lft forever",
          "",
        ].join("\n"),
      ),
    ).toEqual(["sy0123abcdh", "sy99887766h", "eth1"]);
  });
});

describe("acknowledged results (what the CNI handler answers on)", () => {
  it("are handed on only once the server acknowledged them, after a refusal too", async () => {
    const rec = fakeReconciler();
    const acknowledged: number[] = [];
    const applier = createApplier({
      reconciler: rec,
      logger,
      reconcileIntervalMs: 0,
      resendDelayMs: 10,
      onAcknowledged: (r) => acknowledged.push(r.serial),
    });
    let accept = false;
    const sink = async () => accept;
    applier.setSink(sink);
    await applier.receive(state(4), sink);
    expect(acknowledged).toEqual([]);
    accept = true;
    await new Promise((res) => setTimeout(res, 60));
    expect(acknowledged).toEqual([4]);
    applier.stop();
  });
});
