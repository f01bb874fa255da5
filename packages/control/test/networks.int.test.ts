import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import type { CreateNetworkInput } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Actor,
  applyDesiredStateResult,
  attachContainer,
  createNetwork,
  DomainError,
  deleteNetwork,
  detachAttachment,
  getNetwork,
  listNetworks,
  type ServiceContext,
} from "../src";

let db: TestDatabase;
let ctx: ServiceContext;
const actor: Actor = { type: "user", id: "u1", name: "neteng@example.com" };
let hostId = "";

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { prisma: db.prisma, now: () => new Date() };
  hostId = (await db.prisma.host.create({ data: { name: "nh1" } })).id;
});
afterAll(async () => {
  await db?.drop();
});

async function refused(input: CreateNetworkInput): Promise<DomainError> {
  const before = await db.prisma.network.count();
  const err = await createNetwork(ctx, actor, input).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect(await db.prisma.network.count()).toBe(before);
  return err as DomainError;
}

describe("networks", () => {
  it("the seed's VLAN 100 and VLAN 200 share one subnet and one pool", async () => {
    const v100 = await createNetwork(ctx, actor, {
      name: "vlan100",
      driver: "ovs",
      subnet: "192.168.0.0/24",
      vlan: 100,
      uplink: "eth1",
    });
    const v200 = await createNetwork(ctx, actor, {
      name: "vlan200",
      driver: "ovs",
      subnet: "192.168.0.0/24",
      vlan: 200,
      uplink: "eth1",
    });
    expect(v100).toMatchObject({
      bridgeName: "ovs0",
      vlan: 100,
      subnet: "192.168.0.0/24",
      prefixLength: 24,
      createdBy: actor.name,
    });
    expect(v200.poolId).toBe(v100.poolId);
    expect(v100.poolName).toBe("subnet-192.168.0.0-24");
    const pools = await db.prisma.addressPool.findMany({ where: { cidr: "192.168.0.0/24" } });
    expect(pools).toHaveLength(1);
    const audit = await db.prisma.auditEvent.findMany({ where: { action: "network.create" } });
    expect(audit.map((a) => a.actorName)).toEqual([actor.name, actor.name]);
  });

  it("refuses bad input naming the field, creating nothing", async () => {
    const cases: [CreateNetworkInput, string, string][] = [
      [{ name: "v0", driver: "ovs", subnet: "10.0.0.0/24", vlan: 0 }, "vlan", "validation_failed"],
      [{ name: "v4095", driver: "ovs", subnet: "10.0.0.0/24", vlan: 4095 }, "vlan", "validation_failed"],
      [{ name: "vb", driver: "bridge", subnet: "10.0.0.0/24", vlan: 10 }, "vlan", "validation_failed"],
      [
        { name: "long", driver: "bridge", subnet: "10.0.0.0/24", bridgeName: "a-very-long-bridge" },
        "bridgeName",
        "validation_failed",
      ],
      [
        { name: "slash", driver: "bridge", subnet: "10.0.0.0/24", uplink: "eth/1" },
        "uplink",
        "validation_failed",
      ],
      [
        { name: "pct", driver: "bridge", subnet: "10.0.0.0/24", bridgeName: "br%d" },
        "bridgeName",
        "validation_failed",
      ],
      [
        { name: "ws", driver: "bridge", subnet: "10.0.0.0/24", bridgeName: "br 0" },
        "bridgeName",
        "validation_failed",
      ],
      [{ name: "hostbits", driver: "bridge", subnet: "10.0.0.1/24" }, "subnet", "validation_failed"],
      [
        { name: "gw", driver: "bridge", subnet: "10.0.0.0/24", gateway: "10.0.1.1" },
        "gateway",
        "validation_failed",
      ],
      [{ name: "novni", driver: "vxlan", subnet: "10.0.0.0/24" }, "vni", "validation_failed"],
      [{ name: "mvnoparent", driver: "macvlan", subnet: "10.0.0.0/24" }, "uplink", "validation_failed"],
      [{ name: "mtu", driver: "bridge", subnet: "10.0.0.0/24", mtu: 50 }, "mtu", "validation_failed"],
      [{ name: "bad name!", driver: "bridge", subnet: "10.0.0.0/24" }, "name", "validation_failed"],
      [
        { name: "ovr", driver: "bridge", subnet: "10.0.0.0/24", hostOverrides: { nope: { uplink: "eth2" } } },
        "hostOverrides.nope",
        "validation_failed",
      ],
      [
        {
          name: "ovr2",
          driver: "bridge",
          subnet: "10.0.0.0/24",
          hostOverrides: { nh1: { bridgeName: "x/y" } },
        },
        "hostOverrides.nh1.bridgeName",
        "validation_failed",
      ],
      // same L2 segment (OVS bridge ovs0, VLAN 100) with an overlapping subnet
      [{ name: "v100b", driver: "ovs", subnet: "192.168.0.128/25", vlan: 100 }, "subnet", "conflict"],
      [{ name: "vlan100", driver: "ovs", subnet: "172.16.0.0/24", vlan: 300 }, "name", "conflict"],
      // a pool on that subnet already reserves no gateway: the network's gateway could be handed out
      [
        { name: "gwclash", driver: "ovs", subnet: "192.168.0.0/24", vlan: 300, gateway: "192.168.0.254" },
        "gateway",
        "conflict",
      ],
    ];
    for (const [input, field, code] of cases) {
      const err = await refused(input);
      expect([input.name, err.field, err.code]).toEqual([input.name, field, code]);
    }
  });

  it("L2 segments: Linux bridge and VXLAN VNI clashes, OVS vs Linux bridge names; other VLANs and bridges are fine", async () => {
    await createNetwork(ctx, actor, {
      name: "flat",
      driver: "bridge",
      subnet: "10.10.103.0/24",
      gateway: "10.10.103.254",
      uplink: "eth2",
    });
    expect((await refused({ name: "flat2", driver: "bridge", subnet: "10.10.103.0/25" })).field).toBe(
      "subnet",
    );
    expect(
      (await refused({ name: "flatvx", driver: "vxlan", vni: 7, bridgeName: "br0", subnet: "10.10.0.0/16" }))
        .field,
    ).toBe("subnet");
    expect(
      (await refused({ name: "ovsbr0", driver: "ovs", bridgeName: "br0", subnet: "10.20.0.0/24" })).field,
    ).toBe("bridgeName");
    await createNetwork(ctx, actor, { name: "vx42", driver: "vxlan", vni: 42, subnet: "10.42.0.0/24" });
    const dupVni = await refused({ name: "vx42b", driver: "vxlan", vni: 42, subnet: "10.43.0.0/24" });
    expect([dupVni.field, dupVni.code]).toEqual(["vni", "conflict"]);
    expect((await getNetwork(ctx, "vx42")).bridgeName).toBe("brvx42");
    // non-overlapping on the same bridge, and overlapping on another bridge: both allowed
    await createNetwork(ctx, actor, { name: "flat-b", driver: "bridge", subnet: "10.10.104.0/24" });
    await createNetwork(ctx, actor, {
      name: "other-br",
      driver: "bridge",
      bridgeName: "br9",
      subnet: "10.10.103.0/24",
      gateway: "10.10.103.254",
    });
    await createNetwork(ctx, actor, {
      name: "mv",
      driver: "macvlan",
      uplink: "eth3",
      subnet: "10.30.0.0/24",
    });
    expect(
      (await refused({ name: "mv2", driver: "macvlan", uplink: "eth3", subnet: "10.30.0.0/23" })).field,
    ).toBe("subnet");
    const names = (await listNetworks(ctx)).networks.map((x) => x.name);
    expect(names).toEqual(["flat", "flat-b", "mv", "other-br", "vlan100", "vlan200", "vx42"]);
  });

  it("deleting a network with attachments is refused (409); once every attachment is detached it goes", async () => {
    const net = await createNetwork(ctx, actor, {
      name: "temp",
      driver: "bridge",
      bridgeName: "brt",
      subnet: "10.77.0.0/24",
    });
    const { attachment } = await attachContainer(ctx, actor, {
      host: "nh1",
      network: "temp",
      container: "netns:c1",
    });
    const err = await deleteNetwork(ctx, actor, "temp").then(
      () => null,
      (e: unknown) => e as DomainError,
    );
    expect([err?.code, err?.field]).toEqual(["conflict", "id"]);
    expect(err?.details).toEqual({ attachmentIds: [attachment.id] });
    const detached = await detachAttachment(ctx, actor, attachment.id, "cleanup");
    // still detaching: the host has not confirmed yet
    expect(
      (await deleteNetwork(ctx, actor, net.id).catch((e: DomainError) => e)) instanceof DomainError,
    ).toBe(true);
    const serial = (await db.prisma.host.findUniqueOrThrow({ where: { id: hostId } })).desiredSerial;
    expect(detached.operation.serial).toBe(serial);
    await applyDesiredStateResult(ctx, hostId, { serial, results: [], events: [] });
    const deleted = await deleteNetwork(ctx, actor, net.id, "no longer needed");
    expect(deleted.name).toBe("temp");
    expect(await db.prisma.network.findUnique({ where: { id: net.id } })).toBeNull();
    const audit = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "network.delete" } });
    expect([audit.reason, audit.actorName]).toEqual(["no longer needed", actor.name]);
  });
});
