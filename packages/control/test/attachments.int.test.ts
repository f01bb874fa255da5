import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import type { AttachInput, DesiredStateResult } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Actor,
  allocateAddress,
  applyDesiredStateResult,
  attachContainer,
  createNetwork,
  DomainError,
  detachAttachment,
  getAttachment,
  getOperation,
  ingestInventory,
  listAttachments,
  listOperations,
  loadDesiredState,
  markOperationsSent,
  releaseAddress,
  type ServiceContext,
} from "../src";
import { underlayInventory } from "./inventory-fixture";

let db: TestDatabase;
let ctx: ServiceContext;
const actor: Actor = { type: "token", id: "t1", name: "oncall@example.com" };
const ids: Record<string, string> = {};

const serialOf = async (hostId: string) =>
  (await db.prisma.host.findUniqueOrThrow({ where: { id: hostId } })).desiredSerial;

const counts = async () => ({
  attachments: await db.prisma.attachment.count(),
  operations: await db.prisma.operation.count(),
  allocations: await db.prisma.addressAllocation.count({ where: { releasedAt: null } }),
  serials: (await db.prisma.host.findMany({ orderBy: { name: "asc" } })).map((h) => h.desiredSerial),
});

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { prisma: db.prisma, now: () => new Date() };
  for (const [name, underlay] of [
    ["h1", "10.99.1.11"],
    ["h2", "10.99.2.12"],
  ] as const) {
    ids[name] = (await db.prisma.host.create({ data: { name } })).id;
    await ingestInventory(ctx, ids[name], underlayInventory(name, underlay, name === "h1" ? ["con1"] : []));
  }
  ids.revoked = (await db.prisma.host.create({ data: { name: "gone", status: "revoked" } })).id;
  await createNetwork(ctx, actor, {
    name: "vlan100",
    driver: "ovs",
    subnet: "192.168.0.0/24",
    vlan: 100,
    uplink: "eth1",
  });
  await createNetwork(ctx, actor, {
    name: "vlan200",
    driver: "ovs",
    subnet: "192.168.0.0/24",
    vlan: 200,
    uplink: "eth1",
  });
  await createNetwork(ctx, actor, { name: "vx", driver: "vxlan", vni: 42, subnet: "10.42.0.0/24" });
  await createNetwork(ctx, actor, { name: "nogw", driver: "bridge", subnet: "10.50.0.0/24" });
});
afterAll(async () => {
  await db?.drop();
});

describe("attach", () => {
  it("allocates from the subnet's pool (distinct across VLANs), records attachment + operation, bumps the serial", async () => {
    const before = await serialOf(ids.h1 as string);
    const a = await attachContainer(ctx, actor, {
      host: "h1",
      container: "con1",
      network: "vlan100",
      reason: "seed con1",
    });
    const b = await attachContainer(ctx, actor, { host: "h1", container: "docker:con2", network: "vlan200" });
    const c = await attachContainer(ctx, actor, {
      host: "h2",
      container: { runtime: "netns", ref: "con3" },
      network: "vlan100",
    });
    expect(a.attachment).toMatchObject({
      hostName: "h1",
      networkName: "vlan100",
      container: { runtime: "netns", ref: "con1" }, // bare name, known netns on h1
      ifname: "eth1",
      status: "pending",
      prefixLength: 24,
      reason: "seed con1",
      createdBy: actor.name,
    });
    expect(b.attachment.container).toEqual({ runtime: "docker", ref: "con2" });
    const addresses = [a, b, c].map((x) => x.attachment.address);
    expect(new Set(addresses).size).toBe(3);
    for (const x of addresses) expect(x).toMatch(/^192\.168\.0\.\d+$/);
    expect(a.operation).toMatchObject({
      kind: "attach",
      status: "pending",
      requestedBy: actor.name,
      reason: "seed con1",
      serial: before + 1,
    });
    expect(a.hostIds).toEqual([ids.h1]);
    expect(await serialOf(ids.h1 as string)).toBe(before + 2);
    const alloc = await db.prisma.addressAllocation.findUniqueOrThrow({
      where: { id: a.attachment.allocationId as string },
    });
    expect([alloc.address, alloc.endpointId, alloc.hostId]).toEqual([
      a.attachment.address,
      a.attachment.id,
      ids.h1,
    ]);
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { action: "attachment.attach", targetId: a.attachment.id },
    });
    expect([audit.actorName, audit.reason]).toEqual([actor.name, "seed con1"]);
  });

  it("refuses bad requests naming the field, leaving nothing behind (no attachment, no operation, no address, no serial)", async () => {
    await attachContainer(ctx, actor, {
      host: "h2",
      container: "netns:busy",
      network: "vlan200",
      address: "192.168.0.200",
    });
    const cases: [AttachInput, string, string][] = [
      [{ host: "nope", container: "netns:x", network: "vlan100" }, "host", "not_found"],
      [{ host: "gone", container: "netns:x", network: "vlan100" }, "host", "conflict"],
      [{ host: "h1", container: "netns:x", network: "nope" }, "network", "not_found"],
      [
        { host: "h1", container: "netns:x", network: "vlan100", ifname: "a-very-long-ifname" },
        "ifname",
        "validation_failed",
      ],
      [
        { host: "h1", container: "netns:x", network: "vlan100", ifname: "eth%d" },
        "ifname",
        "validation_failed",
      ],
      [
        { host: "h1", container: "netns:x", network: "vlan100", ifname: "e/1" },
        "ifname",
        "validation_failed",
      ],
      [{ host: "h1", container: "netns:x", network: "vlan100", mac: "zz" }, "mac", "validation_failed"],
      [
        { host: "h1", container: "netns:x", network: "vlan100", address: "10.0.0.1" },
        "address",
        "validation_failed",
      ],
      [
        { host: "h1", container: "netns:x", network: "vlan100", address: "192.168.0.0" },
        "address",
        "validation_failed",
      ],
      [
        { host: "h1", container: "netns:x", network: "vlan100", address: "192.168.0.200" },
        "address",
        "conflict",
      ],
      [
        { host: "h1", container: "netns:x", network: "nogw", setDefaultRoute: true },
        "setDefaultRoute",
        "validation_failed",
      ],
      [{ host: "h1", container: "con1", network: "vlan200" }, "ifname", "conflict"],
      [{ host: "h1", container: "", network: "vlan100" }, "container", "validation_failed"],
    ];
    for (const [input, field, code] of cases) {
      const before = await counts();
      const err = await attachContainer(ctx, actor, input).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(input)).toBeInstanceOf(DomainError);
      const e = err as DomainError;
      expect([JSON.stringify(input), e.field, e.code]).toEqual([JSON.stringify(input), field, code]);
      expect(await counts()).toEqual(before);
    }
  });

  it("VXLAN: attaching on a second host bumps the first host's serial too (its peer list changed)", async () => {
    const h1Before = await serialOf(ids.h1 as string);
    const first = await attachContainer(ctx, actor, { host: "h1", container: "netns:vx1", network: "vx" });
    expect(first.hostIds).toEqual([ids.h1]);
    const second = await attachContainer(ctx, actor, { host: "h2", container: "netns:vx2", network: "vx" });
    expect(second.hostIds).toEqual([ids.h2, ids.h1]);
    expect(await serialOf(ids.h1 as string)).toBe(h1Before + 2);
    const plan = await loadDesiredState(db.prisma, ids.h1 as string);
    expect(plan.problems).toEqual([]);
    expect(plan.state.serial).toBe(h1Before + 2);
    expect(plan.state.networks.find((n) => n.name === "vx")?.vxlan).toEqual({
      localAddress: "10.99.1.11",
      peers: ["10.99.2.12"],
      dstPort: 4789,
    });
  });
});

describe("ledger: sent, applied, failed, detached", () => {
  it("walks attach and detach operations through the agent's results and releases the address", async () => {
    const hostId = ids.h1 as string;
    const { attachment, operation } = await attachContainer(ctx, actor, {
      host: "h1",
      container: "netns:led",
      network: "vlan100",
      ifname: "eth7",
    });
    const plan = await loadDesiredState(db.prisma, hostId);
    expect(plan.state.endpoints.map((e) => e.id)).toContain(attachment.id);
    const sent = await markOperationsSent(ctx, hostId, plan.state.serial);
    expect(sent.map((o) => o.id)).toContain(operation.id);
    expect((await getOperation(ctx, operation.id)).status).toBe("sent");

    const everyone = plan.state.endpoints.map((e) => e.id);
    const result: DesiredStateResult = {
      serial: plan.state.serial,
      results: everyone.map((id) =>
        id === attachment.id
          ? { endpointId: id, status: "applied", error: null, hostIfname: "sy0000beefh", durationMs: 42 }
          : { endpointId: id, status: "failed", error: 'Cannot find device "eth1"', hostIfname: null },
      ),
      events: [
        {
          kind: "repaired",
          endpointId: attachment.id,
          networkId: null,
          message: "veth was missing, recreated",
        },
      ],
    };
    const outcome = await applyDesiredStateResult(ctx, hostId, result);
    expect(outcome.accepted).toBe(true);
    expect(outcome.notable).toHaveLength(1);
    const applied = await getAttachment(ctx, attachment.id);
    expect(applied).toMatchObject({ status: "applied", hostIfname: "sy0000beefh", error: null });
    expect(applied.appliedAt).not.toBeNull();
    const op = await getOperation(ctx, operation.id);
    expect(op).toMatchObject({ status: "applied", error: null, durationMs: 42 });
    expect(op.finishedAt).not.toBeNull();
    const failedOps = await listOperations(ctx, { host: "h1", status: "failed" });
    expect(failedOps.length).toBeGreaterThan(0);
    expect(failedOps.every((o) => o.error === 'Cannot find device "eth1"')).toBe(true);
    expect((await db.prisma.host.findUniqueOrThrow({ where: { id: hostId } })).appliedSerial).toBe(
      plan.state.serial,
    );
    expect(
      await db.prisma.auditEvent.count({ where: { action: "reconcile.repaired", targetId: attachment.id } }),
    ).toBe(1);
    // the same result again changes nothing
    const again = await applyDesiredStateResult(ctx, hostId, result);
    expect([again.attachments.length, again.operations.length]).toEqual([0, 0]);

    // detach: detaching, left out of the desired state, released once the agent applied that state
    const detach = await detachAttachment(ctx, actor, attachment.id, "container retired");
    expect(detach.attachment.status).toBe("detaching");
    expect(detach.operation).toMatchObject({
      kind: "detach",
      status: "pending",
      reason: "container retired",
    });
    const twice = await detachAttachment(ctx, actor, attachment.id);
    expect(twice.operation.id).toBe(detach.operation.id);
    const next = await loadDesiredState(db.prisma, hostId);
    expect(next.state.endpoints.map((e) => e.id)).not.toContain(attachment.id);
    // an older result (before the detach) does not finish it
    await applyDesiredStateResult(ctx, hostId, result);
    expect((await getAttachment(ctx, attachment.id)).status).toBe("detaching");
    // a cleanup failure keeps it detaching and fails the operation with the agent's text
    const cleanupFailed = await applyDesiredStateResult(ctx, hostId, {
      serial: next.state.serial,
      results: [],
      events: [
        {
          kind: "error",
          endpointId: null,
          networkId: null,
          message: "cleanup: ovs-vsctl: database connection failed",
        },
      ],
    });
    expect(cleanupFailed.operations.map((o) => [o.kind, o.status, o.error])).toEqual([
      ["detach", "failed", "cleanup: ovs-vsctl: database connection failed"],
    ]);
    expect((await getAttachment(ctx, attachment.id)).status).toBe("detaching");
    // the next clean pass removes it: detached, address released into its cooldown
    await applyDesiredStateResult(ctx, hostId, { serial: next.state.serial, results: [], events: [] });
    const gone = await getAttachment(ctx, attachment.id);
    expect(gone.status).toBe("detached");
    expect(gone.detachedAt).not.toBeNull();
    const alloc = await db.prisma.addressAllocation.findUniqueOrThrow({
      where: { id: attachment.allocationId as string },
    });
    expect(alloc.releasedAt).not.toBeNull();
    expect(alloc.reusableAt?.getTime()).toBeGreaterThan(Date.now());
    expect(await listAttachments(ctx, { host: "h1" })).not.toContainEqual(
      expect.objectContaining({ id: attachment.id }),
    );
    expect(await listAttachments(ctx, { host: "h1", all: true })).toContainEqual(
      expect.objectContaining({ id: attachment.id }),
    );
    // the slot is free again: the same container interface can be attached anew
    const again2 = await attachContainer(ctx, actor, {
      host: "h1",
      container: "netns:led",
      network: "vlan100",
      ifname: "eth7",
    });
    expect(again2.attachment.address).not.toBe(attachment.address); // still cooling down
    const detachAgain = await detachAttachment(ctx, actor, attachment.id).catch((e: DomainError) => e);
    expect([(detachAgain as DomainError).code, (detachAgain as DomainError).field]).toEqual([
      "conflict",
      "id",
    ]);
  });

  it("an attach whose attachment is detached before the agent applied it fails with a clear error", async () => {
    const hostId = ids.h2 as string;
    const { attachment, operation } = await attachContainer(ctx, actor, {
      host: "h2",
      container: "netns:quick",
      network: "vlan100",
    });
    await detachAttachment(ctx, actor, attachment.id);
    const plan = await loadDesiredState(db.prisma, hostId);
    await applyDesiredStateResult(ctx, hostId, { serial: plan.state.serial, results: [], events: [] });
    expect(await getOperation(ctx, operation.id)).toMatchObject({
      status: "failed",
      error: "detached before it was applied",
    });
    expect((await getAttachment(ctx, attachment.id)).status).toBe("detached");
  });

  it("a raw IPAM release under a live attachment is refused, so detach never frees another's address", async () => {
    const hostId = ids.h2 as string;
    const { attachment } = await attachContainer(ctx, actor, {
      host: "h2",
      container: "netns:leaky",
      network: "nogw",
    });
    await db.prisma.addressPool.update({ where: { id: attachment.poolId }, data: { cooldownSeconds: 0 } });
    const refused = await releaseAddress(ctx, actor, {
      poolId: attachment.poolId,
      address: attachment.address,
      reason: "leak",
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).message).toContain(`held by attachment ${attachment.id}`);
    await expect(
      allocateAddress(ctx, actor, {
        poolId: attachment.poolId,
        hostId: ids.h1 as string,
        address: attachment.address,
      }),
    ).rejects.toThrow(/held|holds/);
    await detachAttachment(ctx, actor, attachment.id);
    const plan = await loadDesiredState(db.prisma, hostId);
    await applyDesiredStateResult(ctx, hostId, { serial: plan.state.serial, results: [], events: [] });
    expect((await getAttachment(ctx, attachment.id)).status).toBe("detached");
    const own = await db.prisma.addressAllocation.findUniqueOrThrow({
      where: { id: attachment.allocationId as string },
    });
    expect(own.releasedAt).not.toBeNull();
  });

  it("ignores a result for a serial the host never had", async () => {
    const serial = (await serialOf(ids.h2 as string)) + 100;
    const outcome = await applyDesiredStateResult(ctx, ids.h2 as string, { serial, results: [], events: [] });
    expect(outcome.accepted).toBe(false);
  });
});
