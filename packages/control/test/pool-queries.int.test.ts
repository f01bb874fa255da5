/**
 * Issue 13: `/pools` ran three queries per pool (57 pools: 1.3 s). The pool list and the IPAM metrics
 * now read every pool's usage in grouped queries: the same number of queries for 1 pool or 60, and
 * the same numbers as a pool's own page (whose block map is counted block by block).
 */
import type { PrismaClient } from "@switchyard/db";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  allocateAddress,
  createPool,
  getPool,
  listPools,
  releaseAddress,
  renderIpamMetrics,
} from "../src/ipam";
import { createHosts, serviceContext, testActor } from "./ipam-fixtures";

let db: TestDatabase;
let hosts: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  hosts = await createHosts(db.prisma, "pq", 2);
});
afterAll(async () => {
  await db?.drop();
});

/** The client with every query it runs counted (model calls and raw SQL alike). */
function countingClient() {
  const counter = { queries: 0 };
  const prisma = db.prisma.$extends({
    query: {
      async $allOperations({ args, query }) {
        counter.queries += 1;
        return query(args);
      },
    },
  }) as unknown as PrismaClient;
  return { prisma, counter };
}

async function queriesOf(run: (prisma: PrismaClient) => Promise<unknown>): Promise<number> {
  const { prisma, counter } = countingClient();
  await run(prisma);
  return counter.queries;
}

/** Pools pq-<from>..pq-<to-1>, each with addresses on both hosts and, in every third, one released. */
async function addPools(from: number, to: number) {
  const ctx = serviceContext(db.prisma);
  for (let i = from; i < to; i++) {
    const name = `pq-${String(i).padStart(2, "0")}`;
    await createPool(ctx, testActor, { name, cidr: `10.90.${i}.0/24`, blockSize: 16 });
    const [h0, h1] = hosts as [string, string];
    await allocateAddress(ctx, testActor, { pool: name, hostId: h0 });
    const a = await allocateAddress(ctx, testActor, { pool: name, hostId: h1 });
    if (i % 3 === 0) await releaseAddress(ctx, testActor, { pool: name, address: a.address, reason: "test" });
  }
}

it("lists pools and renders IPAM metrics in a fixed number of queries, whatever the number of pools", async () => {
  await addPools(0, 1);
  const list = (prisma: PrismaClient) => listPools(serviceContext(prisma));
  const metrics = (prisma: PrismaClient) => renderIpamMetrics(prisma);
  const listOne = await queriesOf(list);
  const metricsOne = await queriesOf(metrics);
  await addPools(1, 60);
  expect(await queriesOf(list)).toBe(listOne);
  expect(await queriesOf(metrics)).toBe(metricsOne);
  // The pools of the page, then blocks, held counts, allocations per host, the block owners' counts
  // (the forecast) and the open exhaustion alerts, each grouped by pool.
  expect(listOne).toBe(6);
  expect(metricsOne).toBe(6);

  const { pools, nextCursor } = await listPools(serviceContext(db.prisma));
  expect(pools).toHaveLength(60);
  expect(nextCursor).toBeNull();
  // The grouped numbers equal each pool's own page, whose block map counts block by block.
  for (const name of ["pq-00", "pq-01", "pq-59"]) {
    const listed = pools.find((p) => p.name === name);
    const detail = await getPool(serviceContext(db.prisma), name);
    expect(listed?.usage).toEqual(detail.usage);
    expect(detail.blocks.reduce((n, b) => n + b.allocated, 0)).toBe(detail.usage.allocated);
    expect(detail.blocks.reduce((n, b) => n + b.coolingDown, 0)).toBe(detail.usage.coolingDown);
  }
  const first = pools.find((p) => p.name === "pq-00");
  expect(first?.usage).toMatchObject({ allocated: 1, coolingDown: 1, blocksClaimed: 2 });
  expect(first?.usage.hosts.map((h) => [h.hostName, h.blocks, h.allocated])).toEqual([
    ["pq-0", 1, 1],
    ["pq-1", 1, 0],
  ]);
  expect(pools.find((p) => p.name === "pq-01")?.usage).toMatchObject({ allocated: 2, coolingDown: 0 });
});

it("pages pools by name with a cursor and counts only the page's pools", async () => {
  const ctx = serviceContext(db.prisma);
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await listPools(ctx, { limit: 25, ...(cursor ? { cursor } : {}) });
    seen.push(...page.pools.map((p) => p.name));
    cursor = page.nextCursor ?? undefined;
    pages += 1;
  } while (cursor);
  expect(pages).toBe(3);
  expect(seen).toEqual([...Array(60).keys()].map((i) => `pq-${String(i).padStart(2, "0")}`));
  expect(await queriesOf((prisma) => listPools(serviceContext(prisma), { limit: 5 }))).toBe(6);
});
