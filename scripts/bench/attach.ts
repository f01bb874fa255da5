/**
 * Attach benchmark on a real lab: a 2-host lab (network namespaces, a private OVS per host on the
 * userspace datapath), a real control plane in this process, real agents (root namespace, `--netns`),
 * exactly as the scenario tests build them. Attaches COUNT named-namespace containers through the REST
 * API, alternating hosts, CONCURRENCY requests in flight at a time, then tears everything down. Prints JSON:
 *
 *   requestToAppliedMs  POST /api/v1/attachments sent -> the operation seen "applied" (polled every 10 ms)
 *   serverToAppliedMs   the operation's createdAt -> finishedAt (the control plane's own timestamps)
 *   agentApplyMs        the agent's own apply time of the endpoint (durationMs of its desired-state
 *                       result, stored on the operation)
 *
 *   npm run bench -- attach [--count 20] [--concurrency 1] [--driver ovs|bridge]
 *
 * Root only. Uses DATABASE_URL's server when set (a fresh database on it), else an embedded PostgreSQL
 * in a temp dir.
 */
import { parseArgs } from "node:util";
import { openScratchServer } from "@switchyard/db";
import { TEST_ADMIN_URL_ENV } from "@switchyard/db/testing";
import type { LabContainerState } from "@switchyard/lab";
import type { Operation } from "@switchyard/protocol";
import { type Scenario, startScenario } from "../../apps/web/test/support/lab-plane";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "20" },
    concurrency: { type: "string", default: "1" },
    driver: { type: "string", default: "ovs" },
  },
});
const count = Number.parseInt(values.count ?? "20", 10);
const concurrency = Math.max(1, Number.parseInt(values.concurrency ?? "1", 10));
const driver = values.driver === "bridge" ? "bridge" : "ovs";
if (!Number.isInteger(count) || count < 1 || count > 500) throw new Error("--count must be 1..500");
if (process.getuid?.() !== 0) throw new Error("the attach benchmark builds a network lab: run it as root");

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
const round = (n: number) => Math.round(n * 10) / 10;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: round(quantile(s, 0.5)), p95: round(quantile(s, 0.95)), max: round(s.at(-1) ?? 0) };
};
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function waitApplied(s: Scenario, id: string): Promise<Operation> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const op = await s.api.operation(id);
    if (op.status === "applied") return op;
    if (op.status === "failed") throw new Error(`operation ${id} failed: ${op.error}`);
    if (Date.now() > deadline) throw new Error(`operation ${id} still ${op.status} after 60 s`);
    await sleep(10);
  }
}

const server = await openScratchServer(process.env.DATABASE_URL, "bench-pg");
process.env[TEST_ADMIN_URL_ENV] = server.adminUrl;
let scenario: Scenario | null = null;
let exitCode = 0;
try {
  const setupStarted = performance.now();
  const s = await startScenario({ hosts: 2, prefixBase: "yb", agentArgs: ["--poll-interval", "2s"] });
  scenario = s;
  const hosts = ["h1", "h2"];
  const containers: LabContainerState[] = [];
  for (let i = 0; i < count; i++)
    containers.push(await s.lab.addNetnsContainer(hosts[i % 2] as string, `a${i}`));
  await s.api.createNetwork(
    driver === "ovs"
      ? { name: "bench", driver, subnet: "10.60.0.0/16", vlan: 100, bridgeName: "ovs0", uplink: "eth1" }
      : { name: "bench", driver, subnet: "10.60.0.0/16", bridgeName: "br0", uplink: "eth2" },
  );
  const setupMs = performance.now() - setupStarted;

  const requestToApplied: number[] = [];
  const serverToApplied: number[] = [];
  const agentApply: number[] = [];
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const c = containers[i];
      if (!c) break;
      const t0 = performance.now();
      const { operation } = await s.api.attach({
        host: s.hostName(c.host),
        container: `netns:${c.ref}`,
        network: "bench",
        ifname: "eth0",
      });
      const done = await waitApplied(s, operation.id);
      requestToApplied.push(performance.now() - t0);
      if (done.finishedAt) serverToApplied.push(Date.parse(done.finishedAt) - Date.parse(done.createdAt));
      if (done.durationMs !== null) agentApply.push(done.durationMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const totalMs = performance.now() - started;
  const out = {
    count,
    concurrency,
    driver,
    hosts: 2,
    requestToAppliedMs: stats(requestToApplied),
    serverToAppliedMs: stats(serverToApplied),
    agentApplyMs: {
      ...stats(agentApply),
      reported: agentApply.length,
      source: "operation.durationMs (the agent's per-endpoint durationMs)",
    },
    attachmentsPerSecond: round((count * 1000) / totalMs),
    setupMs: Math.round(setupMs),
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  if (scenario) process.stderr.write(`agent log h1:\n${await scenario.agentLog("h1", 20)}\n`);
  exitCode = 1;
} finally {
  await scenario?.close().catch((error: unknown) => {
    process.stderr.write(`cleanup: ${String(error)}\n`);
    exitCode = 1;
  });
  await server.stop();
}
process.exit(exitCode);
