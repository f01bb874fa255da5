import { fleetContainerAddress, fleetContainerName, seedFleet } from "@switchyard/db/fleet-seed";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getFleetSummary, getHostDrift, type ServiceContext, searchFleet } from "../src";

let db: TestDatabase;
let ctx: ServiceContext;
let hosts: Awaited<ReturnType<typeof seedFleet>>;

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { prisma: db.prisma, now: () => new Date() };
  hosts = await seedFleet(db.url, { hosts: 120, containersPerHost: 10, prefix: "f-" });
});
afterAll(async () => {
  await db?.drop();
});

describe("fleet summary (GET /api/v1/topology/fleet)", () => {
  it("gives one small row per host, in name order", async () => {
    const summary = await getFleetSummary(ctx);
    expect(summary.hosts).toHaveLength(120);
    expect(summary.hosts.map((h) => h.name)).toEqual([...hosts.map((h) => h.name)].sort());
    const row = summary.hosts[101];
    expect(row).toMatchObject({
      name: "f-node0101",
      subnet: "10.20.1.0/24",
      containers: 10,
      leaks: 0,
      drift: 0,
    });
    expect(summary.hosts.filter((h) => h.status === "offline")).toHaveLength(2);
    // Small: a few hundred bytes per host, not the inventory's ~9 KB.
    expect(JSON.stringify(summary).length / 120).toBeLessThan(500);
  });

  it("derives rows from a snapshot once per digest: a snapshot changed under the same digest is not re-read", async () => {
    const first = hosts[0];
    if (!first) throw new Error("seed");
    await getFleetSummary(ctx);
    // The same digest with another snapshot: the row must come from the cache.
    await db.prisma
      .$executeRaw`UPDATE "HostInventory" SET "snapshot" = jsonb_set("snapshot", '{containers}', '[]') WHERE "hostId" = ${first.id}`;
    expect((await getFleetSummary(ctx, { hostIds: [first.id] })).hosts[0]?.containers).toBe(10);
    // A new digest (what every real change brings): the row follows.
    await db.prisma.$executeRaw`UPDATE "HostInventory" SET "digest" = 'changed' WHERE "hostId" = ${first.id}`;
    const rows = (await getFleetSummary(ctx, { hostIds: [first.id] })).hosts;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.containers).toBe(0);
  });

  it("counts drift and networks from the control plane's attachments, and open leaks", async () => {
    const host = hosts[7];
    if (!host) throw new Error("seed");
    const pool = await db.prisma.addressPool.create({
      data: { name: "fp", cidr: "172.16.0.0/12", family: 4, blockSize: 16 },
    });
    const network = await db.prisma.network.create({
      data: {
        name: "fleet-net",
        driver: "ovs",
        subnet: "172.16.0.0/12",
        prefixLength: 12,
        vlan: 100,
        poolId: pool.id,
        createdAt: new Date(),
      },
    });
    const base = {
      networkId: network.id,
      hostId: host.id,
      containerRuntime: "docker",
      prefixLength: 16,
      poolId: pool.id,
      serial: 1,
      createdAt: new Date(),
    };
    await db.prisma.attachment.createMany({
      data: [
        {
          ...base,
          containerRef: fleetContainerName("f-", 7, 0),
          ifname: "eth0",
          address: fleetContainerAddress(7, 0),
          status: "applied",
        },
        { ...base, containerRef: "f-gone", ifname: "eth0", address: "172.16.99.1", status: "applied" },
        {
          ...base,
          containerRef: fleetContainerName("f-", 7, 1),
          ifname: "eth1",
          address: "172.16.99.2",
          status: "failed",
        },
      ],
    });
    await db.prisma.leakFinding.create({
      data: {
        kind: "container_gone",
        state: "open",
        key: "k1",
        address: "172.16.99.1",
        hostId: host.id,
        evidence: {},
        firstSeenAt: new Date(),
        lastSeenAt: new Date(),
      },
    });
    const [row] = (await getFleetSummary(ctx, { hostIds: [host.id] })).hosts;
    expect(row).toMatchObject({ networks: [network.id], drift: 2, leaks: 1 });
    // The row's count is the host's drift items (GET /api/v1/hosts/:id/drift), derived the same way.
    const drift = await getHostDrift(ctx, host.name);
    expect(drift.items.map((i) => [i.kind, i.container])).toEqual(
      expect.arrayContaining([
        ["missing_veth", "docker:f-gone"],
        ["failed", `docker:${fleetContainerName("f-", 7, 1)}`],
      ]),
    );
    expect(drift.items).toHaveLength(2);
    // A desired change under the same snapshot digest: the count follows (its key is the wanted rows).
    await db.prisma.attachment.updateMany({
      where: { hostId: host.id, containerRef: "f-gone" },
      data: { status: "detaching" },
    });
    const [after] = (await getFleetSummary(ctx, { hostIds: [host.id] })).hosts;
    expect(after?.drift).toBe(1);
    expect((await getHostDrift(ctx, host.id)).items.map((i) => i.kind)).toEqual(["failed"]);
  });
});

describe("fleet search (GET /api/v1/topology/search)", () => {
  it("finds a container by its address and a host by its name, best first, bounded", async () => {
    const byAddress = await searchFleet(ctx, fleetContainerAddress(42, 3));
    expect(byAddress.matches[0]).toMatchObject({
      kind: "address",
      hostName: "f-node0042",
      containerName: fleetContainerName("f-", 42, 3),
    });
    const byName = await searchFleet(ctx, "F-NODE0042");
    expect(byName.matches[0]).toMatchObject({ kind: "host", hostName: "f-node0042", containerId: null });
    const broad = await searchFleet(ctx, "f-n");
    expect(broad.matches).toHaveLength(50);
    expect(broad.truncated).toBe(true);
  });
});
