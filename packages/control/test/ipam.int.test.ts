import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DomainError } from "../src/errors";
import {
  allocateAddress,
  createPool,
  getPool,
  listAllocations,
  releaseAddress,
  releaseAllocation,
  returnEmptyBlocks,
} from "../src/ipam";
import { createHosts, manualClock, serviceContext, testActor } from "./ipam-fixtures";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

async function rejection(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

describe("IPAM service", () => {
  it("hands out the lowest free address of the host's block, skipping network and gateway", async () => {
    const ctx = serviceContext(db.prisma);
    const [h1, h2] = await createHosts(db.prisma, "lowest", 2);
    await createPool(ctx, testActor, { name: "lowest", cidr: "10.1.0.0/24", gateway: "10.1.0.1" });
    const a = await allocateAddress(ctx, testActor, { pool: "lowest", hostId: h1 as string });
    const b = await allocateAddress(ctx, testActor, { pool: "lowest", hostId: h1 as string });
    const c = await allocateAddress(ctx, testActor, { pool: "lowest", hostId: h2 as string });
    expect([a.address, b.address, c.address]).toEqual(["10.1.0.2", "10.1.0.3", "10.1.0.16"]);
    expect(a).toMatchObject({
      prefix: 24,
      gateway: "10.1.0.1",
      state: "active",
      source: "block",
      blockIndex: "0",
    });
    expect(c.blockIndex).toBe("1");
  });

  it("exhaustion fails with pool_exhausted and the counts; borrowing takes another host's free address", async () => {
    const ctx = serviceContext(db.prisma);
    const [h1, h2] = (await createHosts(db.prisma, "tiny", 2)) as [string, string];
    // /29 = 8 addresses, 2 blocks of 4; network .0, broadcast .7 and gateway .1 reserved: 5 usable.
    await createPool(ctx, testActor, {
      name: "tiny",
      cidr: "10.2.0.0/29",
      gateway: "10.2.0.1",
      blockSize: 4,
    });
    const got = [];
    for (let i = 0; i < 2; i++)
      got.push((await allocateAddress(ctx, testActor, { pool: "tiny", hostId: h1 })).address);
    got.push((await allocateAddress(ctx, testActor, { pool: "tiny", hostId: h2 })).address);
    expect(got).toEqual(["10.2.0.2", "10.2.0.3", "10.2.0.4"]);
    const err = await rejection(allocateAddress(ctx, testActor, { pool: "tiny", hostId: h1 }));
    expect(err.code).toBe("pool_exhausted");
    expect(err.details).toMatchObject({
      usable: "5",
      allocated: 3,
      blocksTotal: "2",
      blocksClaimed: 2,
      hostBlocks: 1,
    });
    expect(err.message).toMatch(/exhausted: 3 of 5 usable addresses allocated/);

    await db.prisma.addressPool.update({ where: { name: "tiny" }, data: { allowBorrow: true } });
    const borrowed = await allocateAddress(ctx, testActor, { pool: "tiny", hostId: h1 });
    expect(borrowed).toMatchObject({ address: "10.2.0.5", source: "borrowed", hostId: h1 });
  });

  it("an explicit address is checked: inside, not reserved, not held (409 names the holder)", async () => {
    const ctx = serviceContext(db.prisma);
    const [h1, h2] = (await createHosts(db.prisma, "explicit", 2)) as [string, string];
    await createPool(ctx, testActor, { name: "explicit", cidr: "10.3.0.0/24", gateway: "10.3.0.254" });
    const a = await allocateAddress(ctx, testActor, {
      pool: "explicit",
      hostId: h1,
      address: "10.3.0.77",
      stickyKey: "web-1",
    });
    expect(a).toMatchObject({ address: "10.3.0.77", source: "explicit", blockIndex: "4" });
    const detail = await getPool(ctx, "explicit");
    expect(detail.blocks.map((b) => [b.index, b.hostId])).toEqual([["4", h1]]);

    const taken = await rejection(
      allocateAddress(ctx, testActor, { pool: "explicit", hostId: h2, address: "10.3.0.77" }),
    );
    expect(taken.code).toBe("conflict");
    expect(taken.message).toMatch(/10\.3\.0\.77 in pool explicit is held by host explicit-0 \(key web-1\)/);
    expect(taken.details).toMatchObject({ allocationId: a.id, hostId: h1, hostName: "explicit-0" });

    expect(
      (
        await rejection(
          allocateAddress(ctx, testActor, { pool: "explicit", hostId: h2, address: "10.4.0.1" }),
        )
      ).field,
    ).toBe("address");
    const reserved = await rejection(
      allocateAddress(ctx, testActor, { pool: "explicit", hostId: h2, address: "10.3.0.254" }),
    );
    expect(reserved.message).toMatch(/reserved/);
    expect(
      (
        await rejection(
          allocateAddress(ctx, testActor, { pool: "explicit", hostId: h2, address: "10.3.0.255" }),
        )
      ).code,
    ).toBe("validation_failed");
  });

  it("a released address cools down before anyone else gets it", async () => {
    const clock = manualClock();
    const ctx = serviceContext(db.prisma, clock.now);
    const [h1] = (await createHosts(db.prisma, "cool", 1)) as [string];
    await createPool(ctx, testActor, {
      name: "cool",
      cidr: "10.5.0.0/28",
      blockSize: 16,
      cooldownSeconds: 30,
    });
    const a = await allocateAddress(ctx, testActor, { pool: "cool", hostId: h1 });
    expect(a.address).toBe("10.5.0.1");
    const released = await releaseAddress(ctx, testActor, {
      pool: "cool",
      address: "10.5.0.1",
      reason: "container gone",
    });
    expect(released).toMatchObject({
      state: "cooling",
      releaseReason: "container gone",
      releasedBy: "ipam-test",
    });
    expect(released.reusableAt).toBe(new Date(clock.now().getTime() + 30_000).toISOString());
    expect((await allocateAddress(ctx, testActor, { pool: "cool", hostId: h1 })).address).toBe("10.5.0.2");
    const during = await rejection(
      allocateAddress(ctx, testActor, { pool: "cool", hostId: h1, address: "10.5.0.1" }),
    );
    expect(during.message).toMatch(/cooling down until/);
    clock.advance(29.999);
    expect((await allocateAddress(ctx, testActor, { pool: "cool", hostId: h1 })).address).toBe("10.5.0.3");
    clock.advance(0.001);
    expect((await allocateAddress(ctx, testActor, { pool: "cool", hostId: h1 })).address).toBe("10.5.0.1");
    // History is kept: two rows for .1, only the newest holds it.
    const rows = await db.prisma.addressAllocation.findMany({
      where: { address: "10.5.0.1" },
      orderBy: { allocatedAt: "asc" },
    });
    expect(rows.map((r) => [r.releaseReason, r.heldOffset?.toString() ?? null])).toEqual([
      ["container gone", null],
      [null, "1"],
    ]);
    const again = await rejection(
      releaseAddress(ctx, testActor, { pool: "cool", address: "10.5.0.99", reason: "x" }),
    );
    expect(again.code).toBe("validation_failed");
  });

  it("a sticky key gets its previous address back, even while it cools down", async () => {
    const clock = manualClock();
    const ctx = serviceContext(db.prisma, clock.now);
    const [h1, h2] = (await createHosts(db.prisma, "sticky", 2)) as [string, string];
    await createPool(ctx, testActor, { name: "sticky", cidr: "10.6.0.0/24", cooldownSeconds: 60 });
    const first = await allocateAddress(ctx, testActor, { pool: "sticky", hostId: h1, stickyKey: "db-0" });
    await allocateAddress(ctx, testActor, { pool: "sticky", hostId: h1 });
    // A retried request gets the same allocation.
    expect(
      (await allocateAddress(ctx, testActor, { pool: "sticky", hostId: h1, stickyKey: "db-0" })).id,
    ).toBe(first.id);
    await releaseAddress(ctx, testActor, { pool: "sticky", address: first.address, reason: "pod recreated" });
    const back = await allocateAddress(ctx, testActor, { pool: "sticky", hostId: h1, stickyKey: "db-0" });
    expect(back).toMatchObject({ address: first.address, source: "sticky" });
    expect(back.id).not.toBe(first.id);
    // Recreated on another host: still the same address.
    await releaseAddress(ctx, testActor, { pool: "sticky", address: first.address, reason: "moved" });
    clock.advance(3600);
    const moved = await allocateAddress(ctx, testActor, { pool: "sticky", hostId: h2, stickyKey: "db-0" });
    expect(moved.address).toBe(first.address);
    // Someone else took it after the cooldown: the key gets a fresh address.
    await releaseAddress(ctx, testActor, { pool: "sticky", address: first.address, reason: "gone" });
    clock.advance(61);
    await allocateAddress(ctx, testActor, { pool: "sticky", hostId: h1, address: first.address });
    const fresh = await allocateAddress(ctx, testActor, { pool: "sticky", hostId: h2, stickyKey: "db-0" });
    expect(fresh.address).not.toBe(first.address);
    expect(fresh.source).toBe("block");
  });

  it("an empty block returns to the pool after the grace period, not at once", async () => {
    const clock = manualClock();
    const ctx = serviceContext(db.prisma, clock.now);
    const [h1, h2] = (await createHosts(db.prisma, "grace", 2)) as [string, string];
    await createPool(ctx, testActor, {
      name: "grace",
      cidr: "10.7.0.0/28",
      blockSize: 8,
      cooldownSeconds: 10,
      blockGraceSeconds: 100,
    });
    const a = await allocateAddress(ctx, testActor, { pool: "grace", hostId: h1 });
    await releaseAddress(ctx, testActor, { pool: "grace", address: a.address, reason: "done" });
    expect((await getPool(ctx, "grace")).blocks[0]?.emptySince).toBe(clock.now().toISOString());
    clock.advance(99);
    expect(await returnEmptyBlocks(ctx)).toBe(0);
    clock.advance(1);
    expect(await returnEmptyBlocks(ctx)).toBe(1);
    const detail = await getPool(ctx, "grace");
    expect(detail.blocks).toEqual([]);
    expect(detail.usage).toMatchObject({ allocated: 0, coolingDown: 0, blocksClaimed: 0, blocksFree: "2" });
    // Block 0 is claimable again, by anyone.
    expect((await allocateAddress(ctx, testActor, { pool: "grace", hostId: h2 })).address).toBe("10.7.0.1");
  });

  it("IPv6 pools work: compressed text, huge pools, /127 and /128", async () => {
    const ctx = serviceContext(db.prisma);
    const [h1, h2] = (await createHosts(db.prisma, "v6", 2)) as [string, string];
    await createPool(ctx, testActor, { name: "v6", cidr: "2001:db8:0:1::/64", gateway: "2001:db8:0:1::1" });
    const a = await allocateAddress(ctx, testActor, { pool: "v6", hostId: h1 });
    const b = await allocateAddress(ctx, testActor, { pool: "v6", hostId: h2 });
    expect([a.address, b.address]).toEqual(["2001:db8:0:1::2", "2001:db8:0:1::10"]);
    const far = await allocateAddress(ctx, testActor, {
      pool: "v6",
      hostId: h2,
      address: "2001:DB8:0:1:FFFF:FFFF:FFFF:FFFF",
    });
    expect(far).toMatchObject({
      address: "2001:db8:0:1:ffff:ffff:ffff:ffff",
      blockIndex: ((1n << 60n) - 1n).toString(),
      prefix: 64,
    });
    const detail = await getPool(ctx, "v6");
    expect(detail.usage).toMatchObject({ size: (1n << 64n).toString(), allocated: 3, blocksClaimed: 3 });
    expect(detail.blocks.at(-1)).toMatchObject({ first: "2001:db8:0:1:ffff:ffff:ffff:fff0", hostId: h2 });

    await createPool(ctx, testActor, { name: "v6-127", cidr: "2001:db8::/127", blockSize: 2 });
    const p1 = await allocateAddress(ctx, testActor, { pool: "v6-127", hostId: h1 });
    const p2 = await allocateAddress(ctx, testActor, { pool: "v6-127", hostId: h1 });
    expect([p1.address, p2.address]).toEqual(["2001:db8::", "2001:db8::1"]);
    expect((await rejection(allocateAddress(ctx, testActor, { pool: "v6-127", hostId: h2 }))).code).toBe(
      "pool_exhausted",
    );
    await createPool(ctx, testActor, { name: "v6-128", cidr: "2001:db8::7/128", blockSize: 1 });
    expect((await allocateAddress(ctx, testActor, { pool: "v6-128", hostId: h2 })).address).toBe(
      "2001:db8::7",
    );
  });

  it("pool creation is validated and names are unique", async () => {
    const ctx = serviceContext(db.prisma);
    const bad = async (body: Record<string, unknown>) =>
      rejection(createPool(ctx, testActor, { name: "bad", cidr: "10.9.0.0/24", ...body }));
    expect((await bad({ cidr: "10.9.0.1/24" })).field).toBe("cidr");
    expect((await bad({ gateway: "10.8.0.1" })).field).toBe("gateway");
    expect((await bad({ blockSize: 12 })).field).toBe("blockSize");
    expect((await bad({ blockSize: 512 })).field).toBe("blockSize");
    expect((await bad({ reserved: [{ first: "10.9.0.10", last: "10.9.1.0" }] })).field).toBe("reserved.0");
    await createPool(ctx, testActor, { name: "dup", cidr: "10.9.0.0/24" });
    expect((await rejection(createPool(ctx, testActor, { name: "dup", cidr: "10.9.0.0/24" }))).code).toBe(
      "conflict",
    );
  });

  it("releases by allocation id and lists held addresses and history", async () => {
    const ctx = serviceContext(db.prisma);
    const [h1] = (await createHosts(db.prisma, "byid", 1)) as [string];
    await createPool(ctx, testActor, { name: "byid", cidr: "10.8.0.0/28", cooldownSeconds: 5 });
    const a = await allocateAddress(ctx, testActor, {
      pool: "byid",
      hostId: h1,
      networkId: "net-1",
      endpointId: "ep-1",
      reason: "attach con1",
    });
    expect(a).toMatchObject({
      networkId: "net-1",
      endpointId: "ep-1",
      reason: "attach con1",
      allocatedBy: "ipam-test",
    });
    const released = await releaseAllocation(ctx, testActor, a.id, "detach");
    expect(released).toMatchObject({ id: a.id, state: "cooling", releaseReason: "detach" });
    expect((await rejection(releaseAllocation(ctx, testActor, a.id, "again"))).code).toBe("conflict");
    expect((await rejection(releaseAllocation(ctx, testActor, "nope", "x"))).code).toBe("not_found");
    expect((await listAllocations(ctx, "byid")).map((x) => [x.address, x.state])).toEqual([
      ["10.8.0.1", "cooling"],
    ]);
    const audit = await db.prisma.auditEvent.findFirst({ where: { action: "ipam.release", targetId: a.id } });
    expect(audit).toMatchObject({ reason: "detach", actorName: "ipam-test" });
  });
});
