/**
 * CNI benchmark: ADD and DEL latency of the switchyard plugin, invoked as a runtime invokes a plugin
 * (a process per call, CNI_* environment, the config on stdin), side by side in the same run with
 * Debian's `bridge` + `host-local` plugins (containernetworking-plugins, /usr/lib/cni) doing the same job:
 * a veth from a Linux bridge into a named namespace, with an address. Both run from the lab host's
 * namespace (`nsenter --net`, as a runtime on that host would), on namespaces the bench creates, one
 * call at a time, alternating (same load for both). Ours: a 1-host lab, a real control plane in this
 * process (the address from its central pool), the real agent serving the plugin's socket.
 *
 *   npm run bench -- cni [--count 30]
 *
 * Prints JSON: per plugin ADD and DEL {p50, p95, max} in ms, the plugin's own start-up (VERSION), the
 * agent's own apply time of each ADD's endpoint (the rest is process start and round trips), and
 * addRatio = switchyard ADD p50 / bridge+host-local ADD p50. Root only; run when the machine is quiet.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openScratchServer } from "@switchyard/db";
import { TEST_ADMIN_URL_ENV } from "@switchyard/db/testing";
import { agentCniSocket } from "@switchyard/lab";
import { type Scenario, startScenario } from "../../apps/web/test/support/lab-plane";
import { buildBundle } from "../bundle/build.mjs";

const { values } = parseArgs({ options: { count: { type: "string", default: "30" } } });
const count = Number.parseInt(values.count ?? "30", 10);
if (!Number.isInteger(count) || count < 1 || count > 500) throw new Error("--count must be 1..500");
if (process.getuid?.() !== 0) throw new Error("the CNI benchmark builds a network lab: run it as root");
const DEBIAN_CNI = "/usr/lib/cni";
const WARMUP = 2;

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
const round = (n: number) => Math.round(n * 10) / 10;
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: round(quantile(s, 0.5)), p95: round(quantile(s, 0.95)), max: round(s.at(-1) ?? 0) };
};

/** One plugin call in the host's namespace: resolves the wall time, throws on a non-zero exit. */
function call(
  hostNetns: string,
  plugin: string,
  env: Record<string, string>,
  config: unknown,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn("nsenter", [`--net=/run/netns/${hostNetns}`, "--", plugin], {
      // Only what a runtime passes (the CNI_* variables and a PATH), not this process's environment.
      env: { NODE_ENV: process.env.NODE_ENV, PATH: process.env.PATH ?? "/usr/bin:/bin", ...env },
    });
    let out = "";
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const ms = performance.now() - started;
      if (code === 0) resolve(ms);
      else reject(new Error(`${plugin} ${env.CNI_COMMAND} exited ${code}: ${out.slice(0, 500)}`));
    });
    child.stdin.end(JSON.stringify(config));
  });
}

const server = await openScratchServer(process.env.DATABASE_URL, "bench-pg");
process.env[TEST_ADMIN_URL_ENV] = server.adminUrl;
let scenario: Scenario | null = null;
const dataDir = await mkdtemp(join(tmpdir(), "bench-cni-"));
let exitCode = 0;
try {
  const plugin = join(process.cwd(), (await buildBundle("cni")).out);
  const s = await startScenario({
    hosts: 1,
    prefixBase: "yn",
    agentArgs: ["--poll-interval", "2s", "--log-level", "warn"],
    agentLaunch: async () => ({ cni: true }),
  });
  scenario = s;
  const host = s.lab.state.hosts[0];
  if (!host) throw new Error("no lab host");
  await s.api.createNetwork({
    name: "bench",
    driver: "bridge",
    subnet: "10.61.0.0/16",
    bridgeName: "br0",
    uplink: "eth2",
  });
  const ours = {
    cniVersion: "1.0.0",
    name: "bench",
    type: "switchyard",
    network: "bench",
    agentSocket: agentCniSocket(s.lab.state, "h1"),
  };
  const debian = {
    cniVersion: "1.0.0",
    name: "benchbr",
    type: "bridge",
    bridge: "cnibr0",
    ipam: { type: "host-local", subnet: "10.62.0.0/16", dataDir },
  };
  const env = (command: string, id: string, ns: string, path: string) => ({
    CNI_COMMAND: command,
    CNI_CONTAINERID: id,
    CNI_NETNS: `/run/netns/${ns}`,
    CNI_IFNAME: "eth0",
    CNI_PATH: path,
  });
  // A node with pods keeps its network's bridge; without one container staying, every ADD would create
  // (and DEL remove) br0 and its uplink. Debian's bridge plugin never removes its bridge.
  const anchor = await s.lab.addNetnsContainer("h1", "anchor");
  await call(host.netns, plugin, env("ADD", "anchor", anchor.ref, ""), ours);
  const sy = { add: [] as number[], del: [] as number[] };
  const deb = { add: [] as number[], del: [] as number[] };
  const version: number[] = [];
  for (let i = 0; i < count + WARMUP; i++) {
    const a = await s.lab.addNetnsContainer("h1", `s${i}`);
    const b = await s.lab.addNetnsContainer("h1", `d${i}`);
    const keep = i >= WARMUP;
    const v = await call(host.netns, plugin, { CNI_COMMAND: "VERSION" }, ours);
    const sa = await call(host.netns, plugin, env("ADD", `s${i}`, a.ref, ""), ours);
    const da = await call(host.netns, `${DEBIAN_CNI}/bridge`, env("ADD", `d${i}`, b.ref, DEBIAN_CNI), debian);
    const sd = await call(host.netns, plugin, env("DEL", `s${i}`, a.ref, ""), ours);
    const dd = await call(host.netns, `${DEBIAN_CNI}/bridge`, env("DEL", `d${i}`, b.ref, DEBIAN_CNI), debian);
    if (keep) {
      version.push(v);
      sy.add.push(sa);
      sy.del.push(sd);
      deb.add.push(da);
      deb.del.push(dd);
    }
  }
  // The agent's own time per endpoint (what its results reported), to tell apart from the round trips.
  const { operations } = (await s.api.request("GET", "/api/v1/operations?kind=attach&limit=1000")) as {
    operations: { durationMs: number | null; reason: string | null }[];
  };
  const agentApply = operations
    .filter((o) => o.durationMs !== null && /CNI ADD of container s\d+$/.test(o.reason ?? ""))
    .map((o) => o.durationMs as number);
  const syAdd = stats(sy.add);
  const debAdd = stats(deb.add);
  console.log(
    JSON.stringify(
      {
        bench: "cni",
        count,
        loadAverage: loadavg().map(round),
        switchyard: {
          add: syAdd,
          del: stats(sy.del),
          versionStartup: stats(version),
          agentApplyAdd: {
            ...stats(agentApply),
            source: "operation.durationMs (the agent's per-endpoint time)",
          },
        },
        bridgeHostLocal: { add: debAdd, del: stats(deb.del) },
        addRatio: debAdd.p50 > 0 ? Math.round((syAdd.p50 / debAdd.p50) * 100) / 100 : null,
      },
      null,
      2,
    ),
  );
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  if (scenario) process.stderr.write(`agent log h1:\n${await scenario.agentLog("h1", 20)}\n`);
  exitCode = 1;
} finally {
  await scenario?.close().catch((error: unknown) => {
    process.stderr.write(`cleanup: ${String(error)}\n`);
    exitCode = 1;
  });
  await rm(dataDir, { recursive: true, force: true });
  await server.stop();
}
process.exit(exitCode);
