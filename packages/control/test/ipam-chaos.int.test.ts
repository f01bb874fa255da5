import { createPrisma } from "@switchyard/db";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { DomainError } from "../src/errors";
import {
  allocateAddress,
  createPool,
  releaseAddress,
  renderIpamMetrics,
  returnEmptyBlocks,
} from "../src/ipam";
import { createHosts, serviceContext, testActor } from "./ipam-fixtures";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

it("the same explicit address requested 20 times at once: exactly one wins, the rest are told who holds it", async () => {
  const ctx = serviceContext(db.prisma);
  const hosts = await createHosts(db.prisma, "race", 20);
  await createPool(ctx, testActor, { name: "race", cidr: "10.30.0.0/24" });
  const outcomes = await Promise.allSettled(
    hosts.map((hostId) => allocateAddress(ctx, testActor, { pool: "race", hostId, address: "10.30.0.42" })),
  );
  const won = outcomes.filter((o) => o.status === "fulfilled");
  expect(won).toHaveLength(1);
  for (const o of outcomes) {
    if (o.status === "rejected") {
      expect(o.reason).toBeInstanceOf(DomainError);
      expect((o.reason as DomainError).message).toMatch(
        /10\.30\.0\.42 in pool race is held by host race-\d+/,
      );
    }
  }
});

it("one sticky key asked for by 10 hosts at once gets exactly one address", async () => {
  const ctx = serviceContext(db.prisma);
  const hosts = await createHosts(db.prisma, "skey", 10);
  await createPool(ctx, testActor, { name: "skey", cidr: "10.32.0.0/24" });
  const outcomes = await Promise.allSettled(
    hosts.map((hostId) => allocateAddress(ctx, testActor, { pool: "skey", hostId, stickyKey: "db-0" })),
  );
  expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(1);
  for (const o of outcomes) {
    if (o.status === "rejected")
      expect((o.reason as Error).message).toMatch(/sticky key db-0 already holds 10\.32\.0\./);
  }
  expect(await db.prisma.addressAllocation.count({ where: { stickyKey: "db-0", releasedAt: null } })).toBe(1);
});

it("exhausting a pool concurrently: exactly every usable address is handed out once, the rest get pool_exhausted", async () => {
  const prisma = createPrisma(db.url, { poolSize: 12 });
  const ctx = serviceContext(prisma);
  try {
    const hosts = await createHosts(prisma, "drain", 10);
    // 64 addresses minus network and broadcast = 62 usable, in 8 blocks of 8.
    await createPool(ctx, testActor, {
      name: "drain",
      cidr: "10.33.0.0/26",
      blockSize: 8,
      allowBorrow: true,
    });
    const outcomes = await Promise.allSettled(
      Array.from({ length: 100 }, (_, i) =>
        allocateAddress(ctx, testActor, { pool: "drain", hostId: hosts[i % hosts.length] as string }),
      ),
    );
    const won = outcomes.flatMap((o) => (o.status === "fulfilled" ? [o.value.address] : []));
    expect(won).toHaveLength(62);
    expect(new Set(won).size).toBe(62);
    for (const o of outcomes) {
      if (o.status === "rejected") {
        expect(o.reason).toBeInstanceOf(DomainError);
        expect(o.reason).toMatchObject({
          code: "pool_exhausted",
          details: { usable: "62", allocated: 62, blocksClaimed: 8 },
        });
      }
    }
  } finally {
    await prisma.$disconnect();
  }
}, 60_000);

it("mixed allocate / explicit / sticky / borrow / release / sweep traffic keeps every invariant", async () => {
  // A separate client with more connections, so requests really run side by side.
  const prisma = createPrisma(db.url, { poolSize: 12 });
  const ctx = serviceContext(prisma);
  try {
    const hosts = await createHosts(prisma, "chaos", 6);
    // 64 addresses, 8 blocks of 8, no cooldown and no grace: blocks come and go all the time.
    const pool = await createPool(ctx, testActor, {
      name: "chaos",
      cidr: "10.31.0.0/26",
      blockSize: 8,
      allowBorrow: true,
      cooldownSeconds: 0,
      blockGraceSeconds: 0,
    });
    const held = new Set<string>();
    const unexpected: unknown[] = [];
    // A number of operations, not a duration: on a loaded machine a time box would test nothing.
    const OPS = 300;
    let ops = 0;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.random() * xs.length)] as T;
    async function client(): Promise<void> {
      while (ops < OPS) {
        ops++;
        const r = Math.random();
        try {
          if (r < 0.3) {
            held.add((await allocateAddress(ctx, testActor, { pool: "chaos", hostId: pick(hosts) })).address);
          } else if (r < 0.38) {
            const address = `10.31.0.${1 + Math.floor(Math.random() * 62)}`;
            held.add(
              (await allocateAddress(ctx, testActor, { pool: "chaos", hostId: pick(hosts), address }))
                .address,
            );
          } else if (r < 0.46) {
            const stickyKey = `k${Math.floor(Math.random() * 8)}`;
            held.add(
              (await allocateAddress(ctx, testActor, { pool: "chaos", hostId: pick(hosts), stickyKey }))
                .address,
            );
          } else if (r < 0.93) {
            const address = pick([...held]);
            if (address) {
              held.delete(address);
              await releaseAddress(ctx, testActor, { pool: "chaos", address, reason: "chaos" });
            }
          } else {
            await returnEmptyBlocks(ctx);
          }
        } catch (err) {
          const expected =
            err instanceof DomainError && ["pool_exhausted", "conflict", "not_found"].includes(err.code);
          if (!expected) unexpected.push(err);
        }
      }
    }
    await Promise.all(Array.from({ length: 10 }, client));
    expect(unexpected).toEqual([]);

    // Every address still held lies in a claimed block; a "block" allocation in its own host's block.
    const orphans = await prisma.$queryRaw<{ address: string }[]>`
      SELECT a."address" FROM "AddressAllocation" a
      LEFT JOIN "AddressBlock" b ON b."poolId" = a."poolId" AND b."index" = a."blockIndex"
      WHERE a."heldOffset" IS NOT NULL AND (b."id" IS NULL OR (a."source" = 'block' AND b."hostId" IS DISTINCT FROM a."hostId"))`;
    expect(orphans).toEqual([]);
    // One holder per address, and held offsets equal their offsets.
    const [counts] = await prisma.$queryRaw<{ held: number; distinct: number; mismatched: number }[]>`
      SELECT count(*)::int AS held, count(DISTINCT ("poolId", "heldOffset"))::int AS distinct,
        count(*) FILTER (WHERE "heldOffset" <> "offset")::int AS mismatched
      FROM "AddressAllocation" WHERE "heldOffset" IS NOT NULL`;
    expect(counts?.held).toBe(counts?.distinct);
    expect(counts?.mismatched).toBe(0);
    // Releasing everything and sweeping returns every block.
    const active = await prisma.addressAllocation.findMany({
      where: { poolId: pool.id, releasedAt: null, heldOffset: { not: null } },
    });
    for (const a of active)
      await releaseAddress(ctx, testActor, { pool: "chaos", address: a.address, reason: "end" });
    await returnEmptyBlocks(ctx);
    expect(await prisma.addressBlock.count({ where: { poolId: pool.id } })).toBe(0);
    const metrics = await renderIpamMetrics(prisma);
    const sample = (name: string, labels: Record<string, string>) =>
      metrics
        .find((f) => f.name === name)
        ?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    expect(sample("switchyard_ipam_pool_allocated_addresses", { pool: "chaos" })).toBe(0);
    expect(sample("switchyard_ipam_pool_blocks", { pool: "chaos", state: "free" })).toBe(8);
  } finally {
    await prisma.$disconnect();
  }
}, 60_000);
