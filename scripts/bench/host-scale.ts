/**
 * Host-scale benchmark: one lab host (a network namespace with a private OVS on the userspace
 * datapath) with N real Docker containers (a private dockerd, the offline busybox image), a real control
 * plane in this process and the host's real agent, as the scenario tests build them. For each N:
 *
 *   attach.concurrent   N - S containers attached through the REST API, 8 requests in flight
 *   attach.sequential   the last S containers attached one at a time (N - S endpoints already there)
 *   detach.sequential   those S detached one at a time
 *       requestMs  POST/DELETE sent -> the operation's finishedAt (the control plane recorded the agent's
 *                  result; server clock, same machine)
 *       agentMs    the agent's own time for the endpoint (its result's durationMs)
 *   peers              the same attach on the same host, same run, on the same OVS bridge and VLAN:
 *       pipework         ../shared/peers/pipework as shipped (its arping blocks about a second)
 *       pipeworkInstant  pipework with an arping that returns at once
 *       hand             the minimal hand sequence: docker inspect, ip link add (peer into the
 *                        container), ovs-vsctl add-port tag=100, ip link set up, ip addr add, ip link set up
 *   ratios             Switchyard's figures divided by the peers' (p50)
 *   idle               the agent's CPU (% of one core, its own and its children's) and RSS over
 *                      --idle-seconds with the endpoints attached
 *
 *   npm run bench -- host-scale [--sizes 10,100,500] [--idle-seconds 60] [--peer-samples 10]
 *
 * Root only. Uses DATABASE_URL's server when set (a fresh database on it), else an embedded PostgreSQL.
 * Prints one JSON document on stdout; progress goes to stderr.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { openScratchServer } from "@switchyard/db";
import { TEST_ADMIN_URL_ENV } from "@switchyard/db/testing";
import { LAB_IMAGE, type LabContainerState, saveState } from "@switchyard/lab";
import { exec as execRoot } from "@switchyard/netops";
import type { Operation } from "@switchyard/protocol";
import { type Scenario, startScenario } from "../../apps/web/test/support/lab-plane";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10,100,500" },
    "idle-seconds": { type: "string", default: "60" },
    "peer-samples": { type: "string", default: "10" },
    concurrency: { type: "string", default: "8" },
  },
});
const sizes = (values.sizes ?? "10,100,500")
  .split(",")
  .map((s) => Number.parseInt(s.trim(), 10))
  .sort((a, b) => a - b);
if (sizes.some((n) => !Number.isInteger(n) || n < 2 || n > 1000))
  throw new Error("--sizes: integers 2..1000");
const idleSeconds = Number.parseFloat(values["idle-seconds"] ?? "60");
const peerSamples = Math.max(1, Number.parseInt(values["peer-samples"] ?? "10", 10));
const concurrency = Math.max(1, Number.parseInt(values.concurrency ?? "8", 10));
if (process.getuid?.() !== 0)
  throw new Error("the host-scale benchmark builds a network lab: run it as root");

const PIPEWORK = join(import.meta.dirname, "../../../shared/peers/pipework/pipework");
const log = (line: string) => process.stderr.write(`[host-scale] ${line}\n`);
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const round = (n: number) => Math.round(n * 10) / 10;
const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0);
const stats = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return {
    n: s.length,
    p50: round(quantile(s, 0.5)),
    p95: round(quantile(s, 0.95)),
    p99: round(quantile(s, 0.99)),
    max: round(s.at(-1) ?? 0),
  };
};
const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 100) / 100 : null);

async function waitFinished(s: Scenario, id: string, timeoutMs = 120_000): Promise<Operation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const op = await s.api.operation(id);
    if (op.status === "applied") return op;
    if (op.status === "failed") throw new Error(`operation ${id} failed: ${op.error}`);
    if (Date.now() > deadline) throw new Error(`operation ${id} still ${op.status} after ${timeoutMs} ms`);
    await sleep(25);
  }
}

interface Sample {
  requestMs: number;
  agentMs: number | null;
}

/** One request and its operation: request sent -> finishedAt (server clock), and the agent's own time. */
async function timed(s: Scenario, start: () => Promise<{ operation: { id: string } }>): Promise<Sample> {
  const t0 = Date.now();
  const { operation } = await start();
  const done = await waitFinished(s, operation.id);
  const finished = done.finishedAt ? Date.parse(done.finishedAt) : Date.now();
  return { requestMs: Math.max(0, finished - t0), agentMs: done.durationMs };
}

async function pool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++] as T);
    }),
  );
}

const summarize = (samples: Sample[]) => ({
  requestMs: stats(samples.map((x) => x.requestMs)),
  agentMs: stats(samples.map((x) => x.agentMs).filter((x): x is number => x !== null)),
});

/** CPU ticks (own + reaped children + live children) and RSS of a process. */
async function usage(pid: number): Promise<{ ticks: number; rssKb: number }> {
  const ticksOf = async (p: number, withReaped: boolean) => {
    const stat = await readFile(`/proc/${p}/stat`, "utf8").catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // fields[11..14] = utime stime cutime cstime (stat fields 14-17)
    const n = (i: number) => Number.parseInt(fields[i] ?? "0", 10) || 0;
    return n(11) + n(12) + (withReaped ? n(13) + n(14) : 0);
  };
  let ticks = await ticksOf(pid, true);
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => ""))
    .split(" ")
    .map((x) => Number.parseInt(x, 10))
    .filter((x) => x > 0);
  for (const child of children) ticks += await ticksOf(child, true);
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const rssKb = Number.parseInt(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? "0", 10);
  return { ticks, rssKb };
}

async function measureIdle(pid: number, seconds: number) {
  const CLK_TCK = 100;
  const before = await usage(pid);
  const t0 = performance.now();
  const rss: number[] = [before.rssKb];
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(5_000, end - performance.now()));
    rss.push((await usage(pid)).rssKb);
  }
  const after = await usage(pid);
  const elapsed = (performance.now() - t0) / 1000;
  return {
    seconds: round(elapsed),
    cpuPercentOfOneCore: round(((after.ticks - before.ticks) / CLK_TCK / elapsed) * 100),
    rssMb: {
      start: round(before.rssKb / 1024),
      end: round(after.rssKb / 1024),
      max: round(Math.max(...rss) / 1024),
    },
  };
}

const server = await openScratchServer(process.env.DATABASE_URL, "bench-pg");
process.env[TEST_ADMIN_URL_ENV] = server.adminUrl;
let scenario: Scenario | null = null;
let exitCode = 0;
const stubDir = await mkdtemp(join(tmpdir(), "sy-hs-arping-"));
try {
  const setupStarted = performance.now();
  log("building the lab (1 host, OVS, private dockerd) and the control plane");
  const s = await startScenario({
    hosts: 1,
    docker: true,
    prefixBase: "yh",
    agentArgs: ["--log-level", "info"],
  });
  scenario = s;
  const host = s.lab.host("h1");
  const hostExec = s.lab.hostExec("h1");
  const dockerSocket = s.lab.state.docker?.socketPath as string;
  const ovsDb = host.ovs?.db as string;
  const ovsRundir = dirname(ovsDb.replace(/^unix:/, ""));
  const agentPid = host.agentPid;
  if (!agentPid) throw new Error("the lab host's agent has no PID");
  await s.api.createNetwork({
    name: "bench",
    driver: "ovs",
    subnet: "10.60.0.0/16",
    vlan: 100,
    bridgeName: "ovs0",
    uplink: "eth1",
  });
  await writeFile(join(stubDir, "arping"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  const setupMs = Math.round(performance.now() - setupStarted);

  const containers: LabContainerState[] = [];
  const pids = new Map<string, number>();
  const containerPid = async (c: LabContainerState) => {
    const known = pids.get(c.ref);
    if (known) return known;
    const out = await hostExec([
      "docker",
      "-H",
      `unix://${dockerSocket}`,
      "inspect",
      "-f",
      "{{.State.Pid}}",
      c.ref,
    ]);
    const pid = Number.parseInt(out.stdout.trim(), 10);
    pids.set(c.ref, pid);
    return pid;
  };
  let peerAddress = 0;
  const nextPeerAddress = () => {
    peerAddress += 1;
    return `10.62.${Math.floor(peerAddress / 250)}.${(peerAddress % 250) + 1}`;
  };

  /** pipework ovs0 -i IF CONTAINER ADDR/16 @100, run in the host's namespace; returns ms. */
  const pipework = async (c: LabContainerState, ifname: string, instantArping: boolean) => {
    const env = [
      `PATH=${instantArping ? `${stubDir}:` : ""}${process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin"}`,
      `DOCKER_HOST=unix://${dockerSocket}`,
      `OVS_RUNDIR=${ovsRundir}`,
    ];
    const t0 = performance.now();
    await hostExec(
      ["env", ...env, "sh", PIPEWORK, "ovs0", "-i", ifname, c.ref, `${nextPeerAddress()}/16`, "@100"],
      {
        timeoutMs: 60_000,
      },
    );
    return performance.now() - t0;
  };
  const pipeworkCleanup = async (c: LabContainerState, ifname: string) => {
    const local = `v${ifname}pl${await containerPid(c)}`;
    await hostExec(["ovs-vsctl", `--db=${ovsDb}`, "--if-exists", "del-port", "ovs0", local]).catch(() => {});
    await hostExec(["ip", "link", "del", local]).catch(() => {});
  };
  /** The minimal hand sequence, each step a process as a person would type it; returns ms. */
  const hand = async (c: LabContainerState, index: number) => {
    const t0 = performance.now();
    const out = await hostExec([
      "docker",
      "-H",
      `unix://${dockerSocket}`,
      "inspect",
      "-f",
      "{{.State.Pid}}",
      c.ref,
    ]);
    const ns = `/proc/${out.stdout.trim()}/ns/net`;
    const hostIf = `hs${index}h`;
    await hostExec(["ip", "link", "add", hostIf, "type", "veth", "peer", "name", "eth6", "netns", ns]);
    await hostExec(["ovs-vsctl", `--db=${ovsDb}`, "add-port", "ovs0", hostIf, "tag=100"]);
    await hostExec(["ip", "link", "set", hostIf, "up"]);
    await hostExec([
      "nsenter",
      `--net=${ns}`,
      "--",
      "ip",
      "addr",
      "add",
      `${nextPeerAddress()}/16`,
      "dev",
      "eth6",
    ]);
    await hostExec(["nsenter", `--net=${ns}`, "--", "ip", "link", "set", "eth6", "up"]);
    return performance.now() - t0;
  };
  const handCleanup = async (index: number) => {
    await hostExec(["ovs-vsctl", `--db=${ovsDb}`, "--if-exists", "del-port", "ovs0", `hs${index}h`]).catch(
      () => {},
    );
    await hostExec(["ip", "link", "del", `hs${index}h`]).catch(() => {});
  };

  const results: unknown[] = [];
  for (const n of sizes) {
    log(`N=${n}: starting containers (${containers.length} exist)`);
    const toMake = Array.from({ length: n - containers.length }, (_, i) => containers.length + i);
    // `docker run` four at a time, as addDockerContainer does it; the lab state is saved once (its
    // writes do not run concurrently). The private dockerd goes with the lab, containers with it.
    const made: LabContainerState[] = [];
    await pool(toMake, 4, async (i) => {
      const ref = `${s.lab.prefix}-k${i}`;
      await execRoot(
        ["docker", "-H", `unix://${dockerSocket}`, "run", "-d", "--network", "none", "--name", ref].concat([
          "--label",
          `switchyard-lab=${s.lab.prefix}`,
          LAB_IMAGE,
          "sleep",
          "1000000",
        ]),
        { timeoutMs: 120_000 },
      );
      made.push({ name: `k${i}`, host: "h1", runtime: "docker", ref });
    });
    s.lab.state.containers.push(...made);
    await saveState(s.lab.state);
    containers.push(...made.sort((a, b) => a.ref.localeCompare(b.ref, "en", { numeric: true })));
    const seqCount = Math.min(30, Math.ceil(n / 2));
    const concurrentSet = containers.slice(0, n - seqCount);
    const sequentialSet = containers.slice(n - seqCount, n);
    const attach = (c: LabContainerState) => () =>
      s.api.attach({
        host: s.hostName("h1"),
        container: `docker:${c.ref}`,
        network: "bench",
        ifname: "eth0",
      });

    log(`N=${n}: ${concurrentSet.length} attaches, ${concurrency} in flight`);
    const concurrent: Sample[] = [];
    const attachmentOf = new Map<string, string>();
    await pool(concurrentSet, concurrency, async (c) => {
      let id = "";
      const sample = await timed(s, async () => {
        const r = await attach(c)();
        id = r.attachment.id;
        return r;
      });
      attachmentOf.set(c.ref, id);
      concurrent.push(sample);
    });
    log(`N=${n}: ${sequentialSet.length} sequential attaches`);
    const sequential: Sample[] = [];
    for (const c of sequentialSet) {
      let id = "";
      sequential.push(
        await timed(s, async () => {
          const r = await attach(c)();
          id = r.attachment.id;
          return r;
        }),
      );
      attachmentOf.set(c.ref, id);
    }

    log(`N=${n}: peers (${Math.min(peerSamples, n)} each)`);
    const peerSet = containers.slice(0, Math.min(peerSamples, n));
    const peers = { pipework: [] as number[], pipeworkInstant: [] as number[], hand: [] as number[] };
    for (const [i, c] of peerSet.entries()) {
      peers.pipework.push(await pipework(c, "eth7", false));
      peers.pipeworkInstant.push(await pipework(c, "eth8", true));
      peers.hand.push(await hand(c, i));
    }
    for (const [i, c] of peerSet.entries()) {
      await pipeworkCleanup(c, "eth7");
      await pipeworkCleanup(c, "eth8");
      await handCleanup(i);
    }

    log(`N=${n}: agent idle for ${idleSeconds} s with ${n} endpoints`);
    await sleep(3_000); // let the verification of what the peers changed settle
    const idle = await measureIdle(agentPid, idleSeconds);

    log(`N=${n}: ${sequentialSet.length} sequential detaches`);
    const detach: Sample[] = [];
    for (const c of sequentialSet) {
      const id = attachmentOf.get(c.ref) as string;
      detach.push(await timed(s, () => s.api.detach(id)));
    }
    log(`N=${n}: detaching the rest`);
    await pool(concurrentSet, concurrency, async (c) => {
      await timed(s, () => s.api.detach(attachmentOf.get(c.ref) as string));
    });

    const seq = summarize(sequential);
    const conc = summarize(concurrent);
    const peerStats = {
      pipeworkMs: stats(peers.pipework),
      pipeworkInstantArpingMs: stats(peers.pipeworkInstant),
      handSequenceMs: stats(peers.hand),
    };
    const row = {
      containers: n,
      attach: { sequential: seq, concurrent: { inFlight: concurrency, ...conc } },
      // A detach has no per-endpoint duration in the agent's result: request -> finished only.
      detach: { sequential: { requestMs: stats(detach.map((x) => x.requestMs)) } },
      peers: peerStats,
      ratios: {
        agentAttachVsPipework: ratio(seq.agentMs.p50, peerStats.pipeworkMs.p50),
        agentAttachVsPipeworkInstantArping: ratio(seq.agentMs.p50, peerStats.pipeworkInstantArpingMs.p50),
        agentAttachVsHandSequence: ratio(seq.agentMs.p50, peerStats.handSequenceMs.p50),
        requestAttachVsPipework: ratio(seq.requestMs.p50, peerStats.pipeworkMs.p50),
        requestAttachVsHandSequence: ratio(seq.requestMs.p50, peerStats.handSequenceMs.p50),
      },
      idleAgent: idle,
    };
    log(`N=${n}: ${JSON.stringify(row)}`);
    results.push(row);
  }
  const first = results[0] as { attach: { sequential: ReturnType<typeof summarize> } } | undefined;
  const last = results.at(-1) as { attach: { sequential: ReturnType<typeof summarize> } } | undefined;
  process.stdout.write(
    `${JSON.stringify({
      bench: "host-scale",
      driver: "ovs (VLAN 100, userspace datapath)",
      runtime: "docker",
      setupMs,
      sizes: results,
      scaling: {
        sequentialAttachP50LargestVsSmallest:
          first && last
            ? ratio(last.attach.sequential.requestMs.p50, first.attach.sequential.requestMs.p50)
            : null,
        agentAttachP50LargestVsSmallest:
          first && last
            ? ratio(last.attach.sequential.agentMs.p50, first.attach.sequential.agentMs.p50)
            : null,
      },
    })}\n`,
  );
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  if (scenario) process.stderr.write(`agent log h1:\n${await scenario.agentLog("h1", 30)}\n`);
  exitCode = 1;
} finally {
  await scenario?.close().catch((error: unknown) => {
    process.stderr.write(`cleanup: ${String(error)}\n`);
    exitCode = 1;
  });
  await server.stop();
  await rm(stubDir, { recursive: true, force: true });
}
process.exit(exitCode);
