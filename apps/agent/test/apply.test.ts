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
