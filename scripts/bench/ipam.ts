/**
 * IPAM benchmark: allocations per second and p50/p99 latency with 1, 8 and 64 concurrent clients
 * per control-plane process, against one and two processes on one PostgreSQL. Prints JSON.
 *
 *   tsx scripts/bench/ipam.ts [--count N] [--clients 1,8,64] [--processes 1,2] [--hosts 20]
 *
 * Uses DATABASE_URL's server when set (a fresh database on it), else an embedded PostgreSQL in a temp dir.
 * Each scenario gets its own pool (10.x.0.0/16, blocks of 16) and its own hosts; each process first
 * warms up (connections opened, code paths run) on a separate pool, then all start at once.
 */
import { parseArgs } from "node:util";
import { createPool } from "@switchyard/control";
import { openScratchServer } from "@switchyard/db";
import { createTestDatabase, TEST_ADMIN_URL_ENV } from "@switchyard/db/testing";
import { runWorkers } from "../../packages/control/test/ipam-processes";

const { values } = parseArgs({
  options: {
    count: { type: "string", default: "" },
    clients: { type: "string", default: "1,8,64" },
    processes: { type: "string", default: "1,2" },
    hosts: { type: "string", default: "20" },
  },
});
const list = (s: string) => s.split(",").map((x) => Number(x.trim()));

const quantile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
const round = (n: number) => Math.round(n * 10) / 10;

const server = await openScratchServer(process.env.DATABASE_URL, "bench-pg");
process.env[TEST_ADMIN_URL_ENV] = server.adminUrl;
const db = await createTestDatabase();
const ctx = { prisma: db.prisma, now: () => new Date() };
const actor = { type: "system" as const, id: null, name: "bench" };
const scenarios = [];
try {
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
      const count = values.count ? Number(values.count) : Math.max(500, clients * 16);
      const spec = {
        url: db.url,
        pool: name,
        hosts,
        count,
        concurrency: clients,
        warmupPool: `${name}-warmup`,
      };
      const specs = Array.from({ length: processes }, (_, i) => ({ ...spec, offset: i * 7 }));
      const { wallMs, outputs } = await runWorkers(specs);
      const results = outputs.flatMap((o) => o.results);
      const ok = results.filter((r) => r.ok);
      const latencies = ok.map((r) => r.ms).sort((a, b) => a - b);
      const distinct = new Set(ok.flatMap((r) => (r.ok ? [r.address] : []))).size;
      scenarios.push({
        processes,
        clientsPerProcess: clients,
        totalClients: processes * clients,
        allocations: ok.length,
        failures: results.length - ok.length,
        duplicates: ok.length - distinct,
        seconds: round(wallMs / 1000),
        allocationsPerSecond: round(ok.length / (wallMs / 1000)),
        p50Ms: round(quantile(latencies, 0.5)),
        p99Ms: round(quantile(latencies, 0.99)),
      });
      process.stderr.write(`${JSON.stringify(scenarios.at(-1))}\n`);
    }
  }
} finally {
  await db.drop();
  await server.stop();
}
process.stdout.write(
  `${JSON.stringify({ benchmark: "ipam", hosts: Number(values.hosts), blockSize: 16, scenarios }, null, 2)}\n`,
);
