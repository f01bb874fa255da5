import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { allocateAddress, createPool, getPool } from "../src/ipam";
import { createHosts, serviceContext, testActor } from "./ipam-fixtures";

// Issue 8, point 6 of the review: a reserved range over the start of a /64 made the first allocation
// walk every reserved block on the event loop (2^28 addresses: seconds; 2^48: days). The timeouts here
// only guard against that hang; they are not speed targets.
const HANG_GUARD_MS = 5_000;

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
  // Connections opened and code paths run outside the guarded tests.
  const ctx = serviceContext(db.prisma);
  const [h] = (await createHosts(db.prisma, "warm", 1)) as [string];
  await createPool(ctx, testActor, { name: "warm", cidr: "2001:db8:8413::/64" });
  await allocateAddress(ctx, testActor, { pool: "warm", hostId: h });
  await allocateAddress(ctx, testActor, { pool: "warm", hostId: h, stickyKey: "warm" });
});
afterAll(async () => {
  await db?.drop();
});

it(
  "a /64 whose first 2^28 addresses are reserved answers its first allocation without walking them",
  async () => {
    const ctx = serviceContext(db.prisma);
    const [h1] = (await createHosts(db.prisma, "r28", 1)) as [string];
    await createPool(ctx, testActor, {
      name: "r28",
      cidr: "2001:db8:8414::/64",
      reserved: [{ first: "2001:db8:8414::", last: "2001:db8:8414::fff:ffff" }],
    });
    const a = await allocateAddress(ctx, testActor, { pool: "r28", hostId: h1 });
    expect(a).toMatchObject({ address: "2001:db8:8414::1000:0", blockIndex: (1n << 24n).toString() });
  },
  HANG_GUARD_MS,
);

it(
  "a reserved range over the first 2^48 addresses: every allocation path answers at once",
  async () => {
    const ctx = serviceContext(db.prisma);
    const [h1, h2, h3] = (await createHosts(db.prisma, "r48", 3)) as [string, string, string];
    await createPool(ctx, testActor, {
      name: "r48",
      cidr: "2001:db8:8415::/64",
      reserved: [{ first: "2001:db8:8415::", last: "2001:db8:8415::ffff:ffff:ffff" }],
    });
    const first = 1n << 48n;
    const a = await allocateAddress(ctx, testActor, { pool: "r48", hostId: h1 });
    const b = await allocateAddress(ctx, testActor, { pool: "r48", hostId: h1 });
    const c = await allocateAddress(ctx, testActor, { pool: "r48", hostId: h2 });
    expect([a.address, b.address, c.address]).toEqual([
      "2001:db8:8415:0:1::",
      "2001:db8:8415:0:1::1",
      "2001:db8:8415:0:1::10",
    ]);
    expect(c.blockIndex).toBe((first / 16n + 1n).toString());
    // A sticky key and an explicit address take the other path (inside an interactive transaction).
    const sticky = await allocateAddress(ctx, testActor, { pool: "r48", hostId: h3, stickyKey: "web-1" });
    expect(sticky.address).toBe("2001:db8:8415:0:1::20");
    const explicit = await allocateAddress(ctx, testActor, {
      pool: "r48",
      hostId: h3,
      address: "2001:db8:8415:0:1:0:1:0",
    });
    expect(explicit.blockIndex).toBe(((first + 65536n) / 16n).toString());
    const detail = await getPool(ctx, "r48");
    expect(detail.usage).toMatchObject({
      usable: ((1n << 64n) - first).toString(),
      allocated: 5,
      blocksClaimed: 4,
    });
  },
  HANG_GUARD_MS,
);

it(
  "several huge reserved ranges, not aligned on blocks: the lowest address between them",
  async () => {
    const ctx = serviceContext(db.prisma);
    const [h1, h2] = (await createHosts(db.prisma, "gaps", 2)) as [string, string];
    // Offsets reserved: [0, 2^40 + 5] and [2^40 + 8, 2^50]; free: 2^40+6, 2^40+7, then 2^50+1 on.
    await createPool(ctx, testActor, {
      name: "gaps",
      cidr: "2001:db8:8416::/64",
      reserved: [
        { first: "2001:db8:8416::", last: "2001:db8:8416::100:0:5" },
        { first: "2001:db8:8416::100:0:8", last: "2001:db8:8416:0:4::" },
      ],
    });
    const got = [];
    for (let i = 0; i < 3; i++)
      got.push((await allocateAddress(ctx, testActor, { pool: "gaps", hostId: h1 })).address);
    got.push((await allocateAddress(ctx, testActor, { pool: "gaps", hostId: h2 })).address);
    expect(got).toEqual([
      "2001:db8:8416::100:0:6",
      "2001:db8:8416::100:0:7",
      // The block holding 2^50 still has 2^50 + 1 .. + 15 free; it is the next claimable one.
      "2001:db8:8416:0:4::1",
      "2001:db8:8416:0:4::10",
    ]);
  },
  HANG_GUARD_MS,
);
