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
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { createInterface } from "node:readline";
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
const TSX = fileURLToPath(new URL("../../node_modules/.bin/tsx", import.meta.url));
const REPLICA = fileURLToPath(new URL("./ipam-replica.ts", import.meta.url));
const CLIENT = fileURLToPath(new URL("./ipam-client.ts", import.meta.url));
const TARGETS = { processes: 2, clientsPerProcess: 64, allocationsPerSecond: 1000, p99Ms: 200 };

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
const round = (n: number) => Math.round(n * 10) / 10;

interface Child {
  child: ChildProcessWithoutNullStreams;
  nextLine(): Promise<string>;
  exited: Promise<number>;
}

function start(args: string[]): Child {
  const child = spawn(TSX, args, { stdio: ["pipe", "pipe", "inherit"] });
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
  for (let i = 0; i < maxProcesses; i++) replicas.push(start([REPLICA, db.url]));
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
      try {
        for (const l of loaders) {
          const line = await l.nextLine();
          if (line !== "ready") throw new Error(`load generator said ${line.slice(0, 200)}`);
        }
        const t0 = performance.now();
        for (const l of loaders) l.child.stdin.end("go\n");
        const outputs = await Promise.all(
          loaders.map(async (l) => JSON.parse(await l.nextLine()) as { results: ClientResult[] }),
        );
        wallMs = performance.now() - t0;
        results = outputs.flatMap((o) => o.results);
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
