/**
 * Issue 11 item 6, exhaustion ahead of time, on a real PostgreSQL: a /22 in blocks of 16 (64 blocks,
 * so 64 hosts) with a week of allocation history. The usage series equals a count over every row, the
 * forecast runs at the last 24 h's net rate, the hosts whose blocks are full with no free block left
 * are named before they fail (and their next allocation does fail), the exhaustion alert is raised
 * once per episode with one webhook POST, and the forecast reads the history in a fixed number of
 * queries (bucket counts aggregated in SQL, not rows).
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import type { PrismaClient } from "@switchyard/db";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { poolExhaustionWebhookPayloadSchema } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../src/errors";
import {
  allocateAddress,
  checkPoolExhaustion,
  createPool,
  getPool,
  listPools,
  poolForecast,
  releaseAddress,
  renderIpamMetrics,
} from "../src/ipam";
import { deliverWebhooks } from "../src/leaks";
import { createHosts, manualClock, serviceContext, testActor } from "./ipam-fixtures";

const H = 3_600_000;
const D = 24 * H;
const NOW = new Date("2026-12-02T12:00:00.000Z");
const POOL = "fc-22";

let db: TestDatabase;
let hosts: string[] = [];
const clock = manualClock(new Date(NOW.getTime() - 8 * D));
const at = (msBeforeNow: number) => {
  const target = NOW.getTime() - msBeforeNow;
  clock.advance((target - clock.now().getTime()) / 1000);
};
const ctx = () => serviceContext(db.prisma, clock.now);
const allocate = (hostIndex: number) =>
  allocateAddress(ctx(), testActor, { pool: POOL, hostId: hosts[hostIndex] ?? "" });
const release = (address: string) =>
  releaseAddress(ctx(), testActor, { pool: POOL, address, reason: "test" });

const received: { headers: IncomingHttpHeaders; body: string }[] = [];
const receiver = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => {
    body += c.toString();
  });
  req.on("end", () => {
    received.push({ headers: req.headers, body });
    res.writeHead(204).end();
  });
});
let webhookUrl = "";
const settings = () => ({ horizonMs: D, webhookUrl });

beforeAll(async () => {
  db = await createTestDatabase();
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  webhookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  hosts = await createHosts(db.prisma, "fc", 64);
  await createPool(ctx(), testActor, { name: POOL, cidr: "10.88.0.0/22", blockSize: 16 });

  // Days 7 to 2 ago: each host's first address (its first block), one every 100 minutes.
  for (let i = 0; i < 64; i++) {
    at(7 * D - i * 100 * 60_000);
    await allocate(i);
  }
  // 3 days ago: hosts 60..63 take a second address; 60..62 give it back in the last 24 h.
  at(3 * D);
  const extra = [];
  for (const i of [60, 61, 62, 63]) extra.push(await allocate(i));
  // The last 24 h: host 0 fills its block (the pool's first: 15 usable, 14 more), host 1 takes 12
  // (3 left), host 2 one, and 3 releases.
  for (let n = 0; n < 14; n++) {
    at(20 * H - n * 60_000);
    await allocate(0);
  }
  at(14 * H);
  await allocate(2);
  for (let n = 0; n < 12; n++) {
    at(12 * H - n * 30 * 60_000);
    await allocate(1);
  }
  for (const [n, a] of extra.slice(0, 3).entries()) {
    at(2 * H - n * 60_000);
    await release(a.address);
  }
  at(0);
}, 120_000);

afterAll(async () => {
  receiver.close();
  await db?.drop();
});

/** The client with every query it runs counted (model calls and raw SQL alike). */
function counting(): { prisma: PrismaClient; queries: () => number } {
  let n = 0;
  const prisma = db.prisma.$extends({
    query: {
      async $allOperations({ args, query }) {
        n += 1;
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  return { prisma, queries: () => n };
}

describe("a /22 of blocks of 16 with a week of history", () => {
  it("draws usage over time equal to a count over every allocation row", async () => {
    const f = await poolForecast(ctx(), POOL);
    expect(f.series.bucketSeconds).toBe(3600);
    expect(f.series.start).toBe(new Date(NOW.getTime() - 7 * D).toISOString());
    expect(f.series.points).toHaveLength(169);
    const rows = await db.prisma.addressAllocation.findMany({ where: { pool: { name: POOL } } });
    for (const p of f.series.points) {
      const t = Date.parse(p.at);
      const held = rows.filter(
        (r) => r.allocatedAt.getTime() < t && !(r.releasedAt && r.releasedAt.getTime() < t),
      ).length;
      expect([p.at, p.held]).toEqual([p.at, held]);
    }
    // 64 first addresses, 4 extra (1 kept), 14 + 12 + 1 in the last day.
    expect(f.series.points.at(-1)?.held).toBe(92);
    expect(f.series.points[0]?.held).toBe(0);
  });

  it("forecasts at the last 24 h's net rate and names the hosts without a free block", async () => {
    const f = await poolForecast(ctx(), POOL);
    expect([f.usable, f.free, f.blocksTotal, f.blocksFree]).toEqual(["1022", "930", "64", "0"]);
    // (27 allocated - 3 released) / 24 h = +1/h; 930 free: 930 h.
    expect(f.outlook.ratePerHour).toBe(1);
    expect(f.outlook.rateWindowSeconds).toBe(86_400);
    expect(f.outlook.exhaustsAt).toBe(new Date(NOW.getTime() + 930 * H).toISOString());
    expect(f.outlook.blocksExhaustAt).toBe(NOW.toISOString());
    expect(f.outlook.hostsWithoutFreeBlock.map((h) => [h.hostName, h.held, h.capacity, h.fullAt])).toEqual([
      ["fc-0", 15, 15, NOW.toISOString()],
      // 3 left at +0.5/h.
      ["fc-1", 13, 16, new Date(NOW.getTime() + 6 * H).toISOString()],
    ]);
    expect(f.outlook.failsBecause).toBe("hosts");
    expect(f.outlook.failsAt).toBe(NOW.toISOString());
    expect(f.hosts).toHaveLength(64);
    // The list and the pool's page carry the same outlook.
    const { pools } = await listPools(ctx());
    expect(pools.find((p) => p.name === POOL)?.outlook).toEqual(f.outlook);
    expect((await getPool(ctx(), POOL)).outlook).toEqual(f.outlook);
  });

  it("is right about the first: fc-0's next allocation fails, fc-1's does not yet", async () => {
    const failed = await allocate(0).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failed).toBeInstanceOf(DomainError);
    expect((failed as DomainError).code).toBe("pool_exhausted");
    const ok = await allocate(1);
    await release(ok.address);
  });

  it("reads the history in a fixed number of queries, one row per bucket with events", async () => {
    const c = counting();
    await poolForecast(serviceContext(c.prisma, clock.now), POOL);
    // The pool, the bucket counts, three grouped usage queries, the block owners' counts, the alert.
    expect(c.queries()).toBe(7);
    const list = counting();
    await listPools(serviceContext(list.prisma, clock.now));
    expect(list.queries()).toBe(6);
    const metrics = counting();
    await renderIpamMetrics(metrics.prisma, clock.now());
    expect(metrics.queries()).toBe(6);
  });

  it("raises one alert per episode, with one pool.exhaustion webhook, and resolves it", async () => {
    const first = await checkPoolExhaustion(ctx(), settings());
    expect(first).toEqual({ ran: true, raised: [POOL], resolved: [] });
    clock.advance(30);
    expect(await checkPoolExhaustion(ctx(), settings())).toEqual({ ran: true, raised: [], resolved: [] });
    const deliveries = await db.prisma.webhookDelivery.findMany({ where: { event: "pool.exhaustion" } });
    expect(deliveries).toHaveLength(1);

    await deliverWebhooks(ctx());
    expect(received).toHaveLength(1);
    expect(received[0]?.headers["x-switchyard-event"]).toBe("pool.exhaustion");
    const payload = poolExhaustionWebhookPayloadSchema.parse(JSON.parse(received[0]?.body ?? ""));
    expect(payload.pool.name).toBe(POOL);
    expect(payload.alert.reason).toBe("hosts");
    expect(payload.outlook.hostsWithoutFreeBlock.map((h) => h.hostName)).toEqual(["fc-0", "fc-1"]);

    // Shown on the list and the pool's page, and as a metric.
    const { pools } = await listPools(ctx());
    expect(pools.find((p) => p.name === POOL)?.alert?.id).toBe(payload.alert.id);
    expect((await poolForecast(ctx(), POOL)).alert?.reason).toBe("hosts");
    const families = await renderIpamMetrics(db.prisma, clock.now());
    const sample = (name: string, labels: Record<string, string>) =>
      families
        .find((f) => f.name === name)
        ?.samples.find((s) => JSON.stringify(s.labels) === JSON.stringify(labels))?.value;
    expect(sample("switchyard_ipam_pool_exhaustion_alert", { pool: POOL })).toBe(1);
    expect(sample("switchyard_ipam_pool_hosts_without_free_block", { pool: POOL })).toBe(2);
    expect(sample("switchyard_ipam_pool_exhaustion_seconds", { pool: POOL, resource: "blocks" })).toBe(0);

    // fc-0 and fc-1 give their day's addresses back: nothing fills any more, the episode ends.
    const mine = await db.prisma.addressAllocation.findMany({
      where: { pool: { name: POOL }, hostId: { in: [hosts[0] ?? "", hosts[1] ?? ""] }, releasedAt: null },
      orderBy: { allocatedAt: "desc" },
    });
    for (const a of mine.filter((r) => r.allocatedAt.getTime() > NOW.getTime() - D)) await release(a.address);
    clock.advance(120);
    expect(await checkPoolExhaustion(ctx(), settings())).toEqual({ ran: true, raised: [], resolved: [POOL] });
    expect(await checkPoolExhaustion(ctx(), settings())).toEqual({ ran: true, raised: [], resolved: [] });
    expect((await listPools(ctx())).pools.find((p) => p.name === POOL)?.alert).toBeNull();

    // fc-0 fills its block again: a new episode, a second webhook.
    for (let n = 0; n < 14; n++) await allocate(0);
    expect((await checkPoolExhaustion(ctx(), settings())).raised).toEqual([POOL]);
    expect(await db.prisma.webhookDelivery.count({ where: { event: "pool.exhaustion" } })).toBe(2);
    expect(await db.prisma.poolExhaustionAlert.count()).toBe(2);
  });

  it("skips a run while another replica holds the check's lock", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => {
      release = r;
    });
    let locked!: () => void;
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const holder = db.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(727006)`;
      locked();
      await held;
    });
    await isLocked;
    expect(await checkPoolExhaustion(ctx(), settings())).toEqual({ ran: false, raised: [], resolved: [] });
    release();
    await holder;
  });
});
