// Issue 8, points 1-5: ways one address ended up on two live containers, and the VXLAN deadlock storm.
// Each test reproduced its point against the code before the fix (see the closing note of issue 8).
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Actor,
  applyDesiredStateResult,
  attachContainer,
  createNetwork,
  DomainError,
  detachAttachment,
  ingestInventory,
  releaseAddress,
  type ServiceContext,
} from "../src";
import { underlayInventory } from "./inventory-fixture";

let db: TestDatabase;
let ctx: ServiceContext;
const actor: Actor = { type: "token", id: "t1", name: "oncall@example.com" };
const hosts: Record<string, string> = {};

/** Addresses held by two live attachments of one pool (must always be empty). */
async function doubleHolders(): Promise<{ address: string; n: number }[]> {
  return db.prisma.$queryRaw<{ address: string; n: number }[]>`
    SELECT "address", count(*)::int AS n FROM "Attachment"
    WHERE "status" <> 'detached' GROUP BY "poolId", "address" HAVING count(*) > 1`;
}

/** Live attachments whose allocation does not hold their address (must always be empty). */
async function unbackedAttachments(): Promise<{ id: string }[]> {
  return db.prisma.$queryRaw<{ id: string }[]>`
    SELECT a."id" FROM "Attachment" a LEFT JOIN "AddressAllocation" al ON al."id" = a."allocationId"
    WHERE a."status" <> 'detached'
      AND (al."id" IS NULL OR al."releasedAt" IS NOT NULL OR al."heldOffset" IS NULL OR al."address" <> a."address")`;
}

/** Detach as the agent would finish it: asked, then a result at the new serial without the endpoint. */
async function finishDetach(attachmentId: string): Promise<void> {
  const { attachment } = await detachAttachment(ctx, actor, attachmentId);
  const host = await db.prisma.host.findUniqueOrThrow({ where: { id: attachment.hostId } });
  const outcome = await applyDesiredStateResult(ctx, host.id, {
    serial: host.desiredSerial,
    results: [],
    events: [],
  });
  expect(outcome.accepted).toBe(true);
}

async function deadlocks(): Promise<number> {
  const [row] = await db.prisma.$queryRaw<{ n: bigint }[]>`
    SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()`;
  return Number(row?.n ?? 0);
}

async function expectConflict(p: Promise<unknown>, field: string, text: RegExp): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  const d = err as DomainError;
  expect(d.code).toBe("conflict");
  expect(d.field).toBe(field);
  expect(d.message).toMatch(text);
  return d;
}

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { prisma: db.prisma, now: () => new Date() };
  for (const [name, underlay] of [
    ["h1", "10.98.1.11"],
    ["h2", "10.98.2.12"],
    ["h3", "10.98.3.13"],
  ] as const) {
    hosts[name] = (await db.prisma.host.create({ data: { name, status: "online" } })).id;
    await ingestInventory(ctx, hosts[name], underlayInventory(name, underlay));
  }
  await createNetwork(ctx, actor, { name: "flat", driver: "bridge", subnet: "10.77.10.0/24" });
  await createNetwork(ctx, actor, { name: "vx", driver: "vxlan", vni: 77, subnet: "10.77.20.0/24" });
});
afterAll(async () => {
  await db?.drop();
});

describe("one live holder per address", () => {
  it("point 1: a sticky key belongs to one live attachment (a second container is refused, naming the holder)", async () => {
    const first = await attachContainer(ctx, actor, {
      host: "h1",
      container: "netns:web-1",
      network: "flat",
      stickyKey: "web",
    });
    const err = await expectConflict(
      attachContainer(ctx, actor, {
        host: "h1",
        container: "netns:web-2",
        network: "flat",
        stickyKey: "web",
      }),
      "stickyKey",
      /sticky key web .*attachment/,
    );
    expect(JSON.stringify(err.details)).toContain(first.attachment.id);
    expect(await doubleHolders()).toEqual([]);
    // Detached, the key can move to the other container and gets its address back.
    await finishDetach(first.attachment.id);
    const second = await attachContainer(ctx, actor, {
      host: "h1",
      container: "netns:web-2",
      network: "flat",
      stickyKey: "web",
    });
    expect(second.attachment.address).toBe(first.attachment.address);
    expect(await unbackedAttachments()).toEqual([]);
  });

  it("point 2: identical concurrent attaches with a sticky key: one wins, the loser releases nothing of the winner's", async () => {
    const body = { host: "h2", container: "netns:db-0", network: "flat", stickyKey: "db-0" } as const;
    const results = await Promise.allSettled([
      attachContainer(ctx, actor, body),
      attachContainer(ctx, actor, body),
    ]);
    const won = results.filter((r) => r.status === "fulfilled");
    expect(won).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof attachContainer>>>).value;
    const allocation = await db.prisma.addressAllocation.findUniqueOrThrow({
      where: { id: winner.attachment.allocationId as string },
    });
    expect(allocation.releasedAt).toBeNull();
    expect(await unbackedAttachments()).toEqual([]);
  });

  it("point 2: a retry with the same idempotency key returns the same attachment, even concurrently", async () => {
    const body = { host: "h2", container: "netns:api-0", network: "flat", idempotencyKey: "req-42" } as const;
    const [a, b] = await Promise.all([attachContainer(ctx, actor, body), attachContainer(ctx, actor, body)]);
    expect(b.attachment.id).toBe(a.attachment.id);
    expect(b.operation.id).toBe(a.operation.id);
    const again = await attachContainer(ctx, actor, body);
    expect(again.attachment.id).toBe(a.attachment.id);
    expect(await db.prisma.attachment.count({ where: { containerRef: "api-0" } })).toBe(1);
    // The same key for another request is refused, naming the field.
    const err = await attachContainer(ctx, actor, { ...body, container: "netns:api-1" }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).field).toBe("idempotencyKey");
    expect(await unbackedAttachments()).toEqual([]);
  });

  it("point 3: a raw IPAM release of an address held by a live attachment is a 409 naming it", async () => {
    const a = await attachContainer(ctx, actor, { host: "h3", container: "netns:cache-0", network: "flat" });
    const err = await expectConflict(
      releaseAddress(ctx, actor, {
        poolId: a.attachment.poolId,
        address: a.attachment.address,
        reason: "oops",
      }),
      "address",
      /attachment/,
    );
    expect(JSON.stringify(err.details)).toContain(a.attachment.id);
    expect(await unbackedAttachments()).toEqual([]);
  });

  it("point 4: a per-host bridge override cannot put an overlapping subnet on another network's bridge", async () => {
    await createNetwork(ctx, actor, {
      name: "wide",
      driver: "bridge",
      subnet: "10.77.120.0/24",
      bridgeName: "brA",
    });
    await expectConflict(
      createNetwork(ctx, actor, {
        name: "narrow",
        driver: "bridge",
        subnet: "10.77.120.0/25",
        hostOverrides: { h1: { bridgeName: "brA" } },
      }),
      "subnet",
      /overlaps 10\.77\.120\.0\/24 .* wide .*h1/,
    );
    // The other way round: the existing network's override meets the new network's default bridge.
    await createNetwork(ctx, actor, {
      name: "ovr",
      driver: "bridge",
      subnet: "10.77.130.0/24",
      bridgeName: "brB",
      hostOverrides: { h2: { bridgeName: "brC" } },
    });
    await expectConflict(
      createNetwork(ctx, actor, {
        name: "onc",
        driver: "bridge",
        subnet: "10.77.130.0/25",
        bridgeName: "brC",
      }),
      "subnet",
      /overlaps 10\.77\.130\.0\/24 .* ovr/,
    );
    // Disjoint subnets on one bridge, and an override onto a bridge nobody else uses, are fine.
    await createNetwork(ctx, actor, {
      name: "side",
      driver: "bridge",
      subnet: "10.77.121.0/24",
      hostOverrides: { h1: { bridgeName: "brA" } },
    });
  });
});

describe("no deadlock", () => {
  it("point 5: 30 concurrent attaches on a VXLAN network over 3 hosts all succeed, without a deadlock", async () => {
    const before = await deadlocks();
    const names = ["h1", "h2", "h3"];
    const results = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) =>
        attachContainer(ctx, actor, {
          host: names[i % 3] as string,
          container: `netns:vx-${i}`,
          network: "vx",
        }),
      ),
    );
    const failed = results.filter((r) => r.status === "rejected").map((r) => String(r.reason));
    expect(failed).toEqual([]);
    const detaches = await Promise.allSettled(
      results.map((r) =>
        detachAttachment(
          ctx,
          actor,
          (r as PromiseFulfilledResult<{ attachment: { id: string } }>).value.attachment.id,
        ),
      ),
    );
    expect(detaches.filter((r) => r.status === "rejected").map((r) => String(r.reason))).toEqual([]);
    expect(await deadlocks()).toBe(before);
    expect(await doubleHolders()).toEqual([]);
  });
});
