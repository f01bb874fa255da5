import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { allocateAddress, createPool } from "../src/ipam";
import { createHosts, serviceContext, testActor } from "./ipam-fixtures";
import { runWorkers } from "./ipam-processes";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const HOSTS = 20;
const PER_PROCESS = Number(process.env.IPAM_TEST_PER_PROCESS ?? 500);

it("1000 concurrent allocations from two processes over 20 hosts: distinct, inside the host's aligned blocks, packed", async () => {
  const ctx = serviceContext(db.prisma);
  const hosts = await createHosts(db.prisma, "conc", HOSTS);
  await createPool(ctx, testActor, { name: "conc", cidr: "10.20.0.0/16", gateway: "10.20.0.1" });

  const spec = {
    url: db.url,
    pool: "conc",
    hosts,
    count: PER_PROCESS,
    concurrency: Number(process.env.IPAM_TEST_CONCURRENCY ?? 24),
  };
  const { outputs } = await runWorkers([spec, { ...spec, offset: 7 }]);
  const results = outputs.flatMap((o) => o.results);
  const failures = results.filter((r) => !r.ok);
  expect(failures).toEqual([]);
  expect(results).toHaveLength(2 * PER_PROCESS);

  // What the workers saw: all distinct.
  const seen = results.flatMap((r) => (r.ok ? [r.address] : []));
  expect(new Set(seen).size).toBe(2 * PER_PROCESS);

  // What the database holds.
  const rows = await db.prisma.$queryRaw<
    { hostId: string; offset: string; blockIndex: string; owner: string | null }[]
  >`
    SELECT a."hostId", a."offset"::text AS "offset", a."blockIndex"::text AS "blockIndex", b."hostId" AS owner
    FROM "AddressAllocation" a JOIN "AddressPool" p ON p."id" = a."poolId"
    LEFT JOIN "AddressBlock" b ON b."poolId" = a."poolId" AND b."index" = a."blockIndex"
    WHERE p."name" = 'conc' AND a."releasedAt" IS NULL`;
  expect(rows).toHaveLength(2 * PER_PROCESS);
  expect(new Set(rows.map((r) => r.offset)).size).toBe(2 * PER_PROCESS);
  for (const r of rows) {
    // Each address lies in a block of 16 aligned addresses owned by the host it was given to.
    expect(r.owner).toBe(r.hostId);
    expect(BigInt(r.offset) / 16n).toBe(BigInt(r.blockIndex));
  }

  // Per host: 50 addresses, packed from the lowest offsets of its blocks (nothing skipped or lost).
  const blocks = await db.prisma.$queryRaw<{ hostId: string; index: string }[]>`
    SELECT b."hostId", b."index"::text AS "index" FROM "AddressBlock" b JOIN "AddressPool" p ON p."id" = b."poolId"
    WHERE p."name" = 'conc' ORDER BY b."index"`;
  for (const host of hosts) {
    const mine = blocks.filter((b) => b.hostId === host).map((b) => BigInt(b.index));
    const usable = mine.flatMap((i) =>
      Array.from({ length: 16 }, (_, k) => i * 16n + BigInt(k)).filter((o) => o !== 0n && o !== 1n),
    );
    const got = rows
      .filter((r) => r.hostId === host)
      .map((r) => BigInt(r.offset))
      .sort((a, b) => (a < b ? -1 : 1));
    expect(got).toHaveLength((2 * PER_PROCESS) / HOSTS);
    expect(got).toEqual(usable.slice(0, got.length));
    // No block claimed beyond need: dropping the last block would leave too little room.
    const withoutLast = usable.filter((o) => o / 16n !== mine[mine.length - 1]);
    expect(withoutLast.length).toBeLessThan(got.length);
  }
  // Blocks were claimed lowest first with none lost: indices are exactly 0..n-1.
  expect(blocks.map((b) => BigInt(b.index))).toEqual(blocks.map((_, i) => BigInt(i)));

  // And the database refuses a second holder even if a bug tried.
  const one = rows[0];
  await expect(
    db.prisma
      .$executeRaw`INSERT INTO "AddressAllocation" ("id","poolId","address","offset","heldOffset","blockIndex","source","allocatedAt")
      SELECT 'dup', "id", 'x', ${one?.offset}::numeric, ${one?.offset}::numeric, 0, 'block', now() FROM "AddressPool" WHERE "name" = 'conc'`,
  ).rejects.toThrow(/unique/i);
  // Still serving after the storm.
  expect((await allocateAddress(ctx, testActor, { pool: "conc", hostId: hosts[0] as string })).state).toBe(
    "active",
  );
}, 120_000);
