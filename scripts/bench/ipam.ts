/**
 * IPAM benchmark through the REST API: real control-plane replicas (separate processes, the HTTP
 * server with its hub and jobs) on one PostgreSQL, load generators (separate processes, keep-alive
 * HTTP, an API token) allocating with 1, 8 and 64 concurrent clients per replica. Prints JSON:
 * allocations/s, p50/p99, duplicates (must be 0) and misplaced allocations (must be 0), with the
 * targets of the headline scenario (2 replicas x 64 clients).
 *
 *   tsx scripts/bench/ipam.ts [--count N] [--clients 1,8,64] [--processes 1,2] [--hosts 50]
 *
 * Uses DATABASE_URL's server when set (a fresh database on it), else an embedded PostgreSQL in a temp dir.
 * Each scenario gets its own pool (10.x.0.0/16, blocks of 16) and its own hosts; every load generator
 * first warms up on a separate pool, then all start at once.
 */
import { type ChildProcessByStdio, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createApiToken, createPool, toUserDto } from "@switchyard/control";
import { openScratchServer } from "@switchyard/db";
import { createTestDatabase, TEST_ADMIN_URL_ENV } from "@switchyard/db/testing";
import type { ClientResult } from "./ipam-client";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "" },
    clients: { type: "string", default: "1,8,64" },
    processes: { type: "string", default: "1,2" },
    hosts: { type: "string", default: "50" },
  },
});
const list = (s: string) => s.split(",").map((x) => Number(x.trim()));
// BENCH_CPU_PROF=DIR: the replicas write V8 CPU profiles there (to see where a request's time goes).
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const REPLICA = fileURLToPath(new URL("./ipam-replica.ts", import.meta.url));
const CLIENT = fileURLToPath(new URL("./ipam-client.ts", import.meta.url));
const TARGETS = { processes: 2, clientsPerProcess: 64, allocationsPerSecond: 1000, p99Ms: 200 };

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
const round = (n: number) => Math.round(n * 10) / 10;

/**
 * CPU time (user + system, ms) a process has used, from /proc: with other work on the machine, CPU per
 * allocation says more about the code than allocations per second do.
 */
function cpuMsOf(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

interface Child {
  child: ChildProcessByStdio<Writable, Readable, null>;
  nextLine(): Promise<string>;
  exited: Promise<number>;
}

function start(args: string[], profile = false): Child {
  const node = [
    ...(profile && PROFILE_DIR ? ["--cpu-prof", "--cpu-prof-dir", PROFILE_DIR] : []),
    "--import",
    "tsx",
  ];
  const child = spawn(process.execPath, [...node, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  lines.on("line", (line) => {
    const w = waiters.shift();
    if (w) w(line);
    else queue.push(line);
  });
  const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? -1)));
  const nextLine = () =>
    new Promise<string>((resolve, reject) => {
      const queued = queue.shift();
      if (queued !== undefined) return resolve(queued);
      waiters.push(resolve);
      void exited.then((code) => reject(new Error(`${args[0]} exited with ${code} before answering`)));
    });
  return { child, nextLine, exited };
}

async function stopChild(c: Child): Promise<void> {
  if (c.child.exitCode !== null || c.child.pid === undefined) return;
  c.child.kill("SIGTERM");
  const timer = setTimeout(() => c.child.kill("SIGKILL"), 5000);
  await c.exited;
  clearTimeout(timer);
}

const server = await openScratchServer(process.env.DATABASE_URL, "bench-pg");
process.env[TEST_ADMIN_URL_ENV] = server.adminUrl;
const db = await createTestDatabase();
const ctx = { prisma: db.prisma, now: () => new Date() };
const actor = { type: "system" as const, id: null, name: "bench" };
const replicas: Child[] = [];
const scenarios = [];
try {
  const maxProcesses = Math.max(...list(values.processes));
  for (let i = 0; i < maxProcesses; i++) replicas.push(start([REPLICA, db.url], true));
  const urls = await Promise.all(replicas.map((r) => r.nextLine()));
  const admin = await db.prisma.user.findFirstOrThrow({ where: { role: "admin" } });
  const { token } = await createApiToken(
    ctx,
    { user: toUserDto(admin), via: "session", credentialId: "bench" },
    { name: "bench" },
  );
  let n = 0;
  for (const processes of list(values.processes)) {
    for (const clients of list(values.clients)) {
      n++;
      const name = `bench-${processes}p-${clients}c`;
      await createPool(ctx, actor, { name, cidr: `10.${n}.0.0/16`, blockSize: 16 });
      await createPool(ctx, actor, { name: `${name}-warmup`, cidr: `10.${100 + n}.0.0/16`, blockSize: 16 });
      const hosts: string[] = [];
      for (let i = 0; i < Number(values.hosts); i++) {
        hosts.push((await db.prisma.host.create({ data: { name: `${name}-h${i}` } })).id);
      }
      const count = values.count ? Number(values.count) : Math.max(300, clients * 40);
      const loaders = Array.from({ length: processes }, (_, i) =>
        start([
          CLIENT,
          JSON.stringify({
            url: urls[i],
            token,
            pool: name,
            hosts,
            count,
            concurrency: clients,
            offset: i * 7,
            warmupPool: `${name}-warmup`,
          }),
        ]),
      );
      let wallMs: number;
      let results: ClientResult[];
      let backends: number[] = [];
      let cpu = { replicas: 0, postgres: 0, loadGenerators: 0 };
      try {
        for (const l of loaders) {
          const line = await l.nextLine();
          if (line !== "ready") throw new Error(`load generator said ${line.slice(0, 200)}`);
        }
        // The backends serving this database (the replicas' pools are open after the warm-up).
        backends = (
          await db.prisma.$queryRaw<{ pid: number }[]>`
            SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`
        ).map((r) => r.pid);
        const cpuBefore = {
          replicas: replicas.slice(0, processes).reduce((sum, r) => sum + cpuMsOf(r.child.pid), 0),
          postgres: backends.reduce((sum, pid) => sum + cpuMsOf(pid), 0),
        };
        const t0 = performance.now();
        for (const l of loaders) l.child.stdin.end("go\n");
        const outputs = await Promise.all(
          loaders.map(
            async (l) => JSON.parse(await l.nextLine()) as { results: ClientResult[]; cpuMs: number },
          ),
        );
        wallMs = performance.now() - t0;
        results = outputs.flatMap((o) => o.results);
        cpu = {
          replicas:
            replicas.slice(0, processes).reduce((sum, r) => sum + cpuMsOf(r.child.pid), 0) -
            cpuBefore.replicas,
          postgres: backends.reduce((sum, pid) => sum + cpuMsOf(pid), 0) - cpuBefore.postgres,
          loadGenerators: outputs.reduce((sum, o) => sum + o.cpuMs, 0),
        };
      } finally {
        await Promise.all(loaders.map(stopChild));
      }
      const ok = results.filter((r) => r.ok);
      const latencies = ok.map((r) => r.ms).sort((a, b) => a - b);
      const distinct = new Set(ok.map((r) => r.address)).size;
      const pool = await db.prisma.addressPool.findUniqueOrThrow({ where: { name } });
      // Every allocation lies in a block its own host owns, and the database holds exactly what was answered.
      const [check] = await db.prisma.$queryRaw<{ held: number; misplaced: number }[]>`
        SELECT count(*)::int AS held,
          count(*) FILTER (WHERE b."hostId" IS DISTINCT FROM a."hostId")::int AS misplaced
        FROM "AddressAllocation" a
        LEFT JOIN "AddressBlock" b ON b."poolId" = a."poolId" AND b."index" = a."blockIndex"
        WHERE a."poolId" = ${pool.id} AND a."heldOffset" IS NOT NULL`;
      const failures = results.filter((r) => !r.ok);
      scenarios.push({
        processes,
        clientsPerProcess: clients,
        totalClients: processes * clients,
        allocations: ok.length,
        failures: failures.length,
        ...(failures[0] && !failures[0].ok ? { firstFailure: failures[0].message } : {}),
        duplicates: ok.length - distinct,
        heldInDatabase: check?.held ?? 0,
        misplaced: check?.misplaced ?? 0,
        seconds: round(wallMs / 1000),
        allocationsPerSecond: round(ok.length / (wallMs / 1000)),
        p50Ms: round(quantile(latencies, 0.5)),
        p99Ms: round(quantile(latencies, 0.99)),
        maxMs: round(latencies.at(-1) ?? 0),
        cpuMsPerAllocation: {
          replicas: round((cpu.replicas / Math.max(1, ok.length)) * 100) / 100,
          postgres: round((cpu.postgres / Math.max(1, ok.length)) * 100) / 100,
          loadGenerators: round((cpu.loadGenerators / Math.max(1, ok.length)) * 100) / 100,
        },
        loadAverage: loadavg()[0],
      });
      process.stderr.write(`${JSON.stringify(scenarios.at(-1))}\n`);
    }
  }
} finally {
  await Promise.all(replicas.map(stopChild));
  await db.drop();
  await server.stop();
}
const headline = scenarios.find(
  (s) => s.processes === TARGETS.processes && s.clientsPerProcess === TARGETS.clientsPerProcess,
);
process.stdout.write(
  `${JSON.stringify(
    {
      benchmark: "ipam",
      via: "REST (POST /api/v1/pools/:id/allocations, bearer token)",
      hosts: Number(values.hosts),
      blockSize: 16,
      targets: {
        scenario: `${TARGETS.processes} replicas x ${TARGETS.clientsPerProcess} clients`,
        allocationsPerSecond: `>= ${TARGETS.allocationsPerSecond}`,
        p99Ms: `<= ${TARGETS.p99Ms}`,
        ...(headline
          ? {
              met:
                headline.allocationsPerSecond >= TARGETS.allocationsPerSecond &&
                headline.p99Ms <= TARGETS.p99Ms &&
                headline.duplicates === 0 &&
                headline.misplaced === 0 &&
                headline.failures === 0,
            }
          : {}),
      },
      scenarios,
    },
    null,
    2,
  )}\n`,
);
