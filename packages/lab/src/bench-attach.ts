/**
 * Measures the agent's own apply time per attachment on a running lab host. Run it INSIDE the host's
 * namespace, as an agent runs:
 *   ip netns exec PREFIX-h1 node_modules/.bin/tsx packages/lab/src/bench-attach.ts --prefix PREFIX --count 20
 * It attaches COUNT named-netns containers one reconcile at a time (each push adds one endpoint, as the
 * control plane does), prints JSON {count, driver, p50Ms, p95Ms, maxMs, noopReconcileMs}, then detaches all.
 * The containers stay in the lab state; `down` removes them.
 */
import { parseArgs } from "node:util";
import { MemoryEndpointStore, reconcile } from "@switchyard/netops";
import type { DesiredNetwork, DesiredStateInput } from "@switchyard/protocol";
import { addNetnsContainer } from "./containers";
import { loadState } from "./state";

const percentile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      prefix: { type: "string" },
      host: { type: "string", default: "h1" },
      count: { type: "string", default: "20" },
      driver: { type: "string", default: "ovs" },
    },
  });
  const state = values.prefix ? await loadState(values.prefix) : null;
  if (!state) throw new Error("no such lab (--prefix)");
  const host = state.hosts.find((h) => h.name === values.host);
  if (!host) throw new Error(`no host ${values.host}`);
  const count = Number.parseInt(values.count ?? "20", 10);
  const network: DesiredNetwork =
    values.driver === "bridge"
      ? { id: "bench", name: "bench", driver: "bridge", bridgeName: "brbench", prefixLength: 16 }
      : {
          id: "bench",
          name: "bench",
          driver: "ovs",
          bridgeName: "ovsbench",
          uplink: host.uplinks.ovs,
          vlan: 300,
          prefixLength: 16,
        };
  const store = new MemoryEndpointStore();
  const options = { datapathType: "netdev", ovsDb: host.ovs?.db };
  const desired: DesiredStateInput = { serial: 0, networks: [network], endpoints: [] };
  const times: number[] = [];
  const run = (extra: Partial<DesiredStateInput> = {}) =>
    reconcile({ ...desired, ...extra, serial: desired.serial++ }, { store, options });
  for (let i = 0; i < count; i++) {
    const c = await addNetnsContainer(state, host.name, `b${process.pid}-${i}`);
    desired.endpoints.push({
      id: `bench-${state.prefix}-${i}`,
      networkId: "bench",
      container: { runtime: "netns", ref: c.ref },
      address: `10.77.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    });
    const result = await run();
    const mine = result.results.find((r) => r.endpointId === `bench-${state.prefix}-${i}`);
    if (mine?.status !== "applied") throw new Error(`attachment ${i} failed: ${mine?.error}`);
    times.push(mine.durationMs ?? 0);
  }
  const t0 = performance.now();
  await run();
  const noop = performance.now() - t0;
  await run({ endpoints: [], networks: [] });
  const sorted = [...times].sort((a, b) => a - b);
  const out = {
    count,
    driver: network.driver,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    maxMs: sorted.at(-1),
    noopReconcileMs: Math.round(noop),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
