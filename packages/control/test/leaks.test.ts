import type { Inventory } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import {
  findLeaks,
  type LeakCheckAllocation,
  type LeakCheckHost,
  type LeakCheckInput,
} from "../src/leaks/find";

const now = new Date("2026-11-27T23:00:00.000Z");
const ago = (ms: number) => new Date(now.getTime() - ms);
const settings = { hostOfflineGraceMs: 60_000 };

type C = Inventory["containers"][number];
const container = (
  name: string,
  ifs: { name: string; address?: string; mac?: string }[],
  state = "running",
): C => ({
  id: `${name}-id-0123456789abcdef`,
  name,
  runtime: "docker",
  state,
  pid: 100,
  interfaces: ifs.map((i, n) => ({
    name: i.name,
    index: n + 2,
    kind: "veth",
    mac: i.mac ?? null,
    peerIndex: null,
    addresses: i.address ? [{ family: "inet", address: i.address, prefixLength: 24 }] : [],
  })),
});

const inventory = (containers: C[], hostIfs: { name: string; address: string }[] = []): Inventory => ({
  collectedAt: ago(1000).toISOString(),
  hostname: "h",
  interfaces: hostIfs.map((i, n) => ({
    name: i.name,
    index: n + 1,
    kind: "bridge",
    mac: null,
    mtu: 1500,
    operState: "UP",
    master: null,
    peerIndex: null,
    addresses: [{ family: "inet", address: i.address, prefixLength: 24 }],
  })),
  bridges: [],
  ovs: { available: false, error: null, bridges: [] },
  namespaces: [],
  docker: { available: true, error: null },
  containers,
});

const host = (id: string, inv: Inventory | null, status = "online", lastSeen = ago(1000)): LeakCheckHost => ({
  id,
  name: `name-${id}`,
  status,
  lastSeenAt: lastSeen,
  inventory: inv ? { collectedAt: ago(1000), receivedAt: ago(1000), snapshot: inv } : null,
});

let seq = 0;
const alloc = (
  hostId: string,
  address: string,
  ref: string,
  over: Partial<NonNullable<LeakCheckAllocation["attachment"]>> = {},
): LeakCheckAllocation => {
  seq++;
  return {
    id: `a${seq}`,
    poolId: "p1",
    address,
    hostId,
    networkId: "n1",
    allocatedAt: ago(600_000),
    attachment: {
      id: `att${seq}`,
      hostId,
      networkId: "n1",
      runtime: "docker",
      ref,
      ifname: "eth1",
      address,
      mac: null,
      status: "applied",
      createdAt: ago(600_000),
      appliedAt: ago(500_000),
      ...over,
    },
  };
};

const pools = [
  {
    id: "p1",
    name: "lan",
    cidr: "10.10.103.0/24",
    gateway: "10.10.103.254",
    reserved: [{ first: "10.10.103.250", last: "10.10.103.253" }],
  },
];

const run = (input: Partial<LeakCheckInput>) =>
  findLeaks({ allocations: [], hosts: [], pools, ...input }, now, settings);
const kinds = (input: Partial<LeakCheckInput>) =>
  run(input)
    .map((f) => f.kind)
    .sort();

describe("findLeaks", () => {
  it("a healthy endpoint gives nothing", () => {
    const h = host("h1", inventory([container("con1", [{ name: "eth1", address: "10.10.103.5" }])]));
    expect(run({ hosts: [h], allocations: [alloc("h1", "10.10.103.5", "con1")] })).toEqual([]);
  });

  it("container_gone names allocation, network, host, container with evidence", () => {
    const h = host("h1", inventory([]));
    const a = alloc("h1", "10.10.103.5", "con1");
    const [f, ...rest] = run({ hosts: [h], allocations: [a] });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({
      kind: "container_gone",
      key: `container_gone|${a.id}`,
      allocationId: a.id,
      attachmentId: a.attachment?.id,
      networkId: "n1",
      hostId: "h1",
      container: "docker:con1",
      ifname: "eth1",
      address: "10.10.103.5",
      evidence: {
        hostStatus: "online",
        inventoryReceivedAt: ago(1000).toISOString(),
        hostLastSeenAt: ago(1000).toISOString(),
        expected: { address: "10.10.103.5", ifname: "eth1", mac: null },
      },
    });
  });

  it("an exited container is gone too; matching by short id works", () => {
    const h = host("h1", inventory([container("con1", [], "exited")]));
    expect(kinds({ hosts: [h], allocations: [alloc("h1", "10.10.103.5", "con1")] })).toEqual([
      "container_gone",
    ]);
    const h2 = host("h2", inventory([container("con2", [{ name: "eth1", address: "10.10.103.6" }])]));
    expect(kinds({ hosts: [h2], allocations: [alloc("h2", "10.10.103.6", "con2-id-0123")] })).toEqual([]);
  });

  it("interface_missing: no interface, or the interface lost its address", () => {
    const h = host(
      "h1",
      inventory([container("con1", [{ name: "eth0" }]), container("con2", [{ name: "eth1" }])]),
    );
    const found = run({
      hosts: [h],
      allocations: [alloc("h1", "10.10.103.5", "con1"), alloc("h1", "10.10.103.6", "con2")],
    });
    expect(found.map((f) => [f.kind, f.container])).toEqual([
      ["interface_missing", "docker:con1"],
      ["interface_missing", "docker:con2"],
    ]);
  });

  it("address_mismatch: another address of the subnet, or another MAC", () => {
    const h = host(
      "h1",
      inventory([
        container("con1", [{ name: "eth1", address: "10.10.103.9" }]),
        container("con2", [{ name: "eth1", address: "10.10.103.6", mac: "02:00:00:00:00:02" }]),
      ]),
    );
    const found = run({
      hosts: [h],
      allocations: [
        alloc("h1", "10.10.103.5", "con1"),
        alloc("h1", "10.10.103.6", "con2", { mac: "02:00:00:00:00:99" }),
      ],
    });
    expect(found.filter((f) => f.kind === "address_mismatch").map((f) => f.container)).toEqual([
      "docker:con1",
      "docker:con2",
    ]);
    // 10.10.103.9 is on con1 but nobody allocated it.
    expect(found.filter((f) => f.kind === "unknown_address").map((f) => f.address)).toEqual(["10.10.103.9"]);
  });

  it("host_offline only past the grace period, with last seen as evidence", () => {
    const a = alloc("h1", "10.10.103.5", "con1");
    const recent = host("h1", inventory([]), "offline", ago(30_000));
    expect(kinds({ hosts: [recent], allocations: [a] })).toEqual([]);
    const old = host("h1", inventory([]), "offline", ago(120_000));
    const [f] = run({ hosts: [old], allocations: [a] });
    expect(f).toMatchObject({
      kind: "host_offline",
      evidence: { hostStatus: "offline", hostLastSeenAt: ago(120_000).toISOString() },
    });
    expect(kinds({ hosts: [host("h1", null, "offline", ago(61_000))], allocations: [a] })).toEqual([
      "host_offline",
    ]);
  });

  it("an attach in flight is never reported: pending, or applied after the latest inventory", () => {
    const h = host("h1", inventory([]));
    const offline = host("h2", null, "offline", ago(10_000_000));
    expect(
      run({
        hosts: [h, offline],
        allocations: [
          alloc("h1", "10.10.103.5", "con1", { status: "pending", appliedAt: null }),
          alloc("h2", "10.10.103.7", "con3", { status: "pending", appliedAt: null }),
          alloc("h1", "10.10.103.6", "con2", { status: "applied", appliedAt: ago(10) }),
          alloc("h1", "10.10.103.8", "con4", { status: "detaching" }),
        ],
      }),
    ).toEqual([]);
  });

  it("a bare IPAM allocation (no attachment) is not compared with containers", () => {
    const a: LeakCheckAllocation = { ...alloc("h1", "10.10.103.5", "x"), attachment: null };
    expect(run({ hosts: [host("h1", inventory([]))], allocations: [a] })).toEqual([]);
  });

  it("unknown_address: in a managed subnet, unallocated; gateway, reserved and foreign subnets ignored", () => {
    const h = host(
      "h1",
      inventory(
        [
          container("con1", [{ name: "eth1", address: "10.10.103.20" }]),
          container("con2", [{ name: "eth1", address: "192.168.1.5" }]),
          container("con3", [{ name: "eth1", address: "10.10.103.251" }]),
        ],
        [
          { name: "br0", address: "10.10.103.254" },
          { name: "br1", address: "10.10.103.30" },
        ],
      ),
    );
    const found = run({ hosts: [h] });
    expect(found.map((f) => [f.kind, f.address, f.container, f.ifname])).toEqual([
      ["unknown_address", "10.10.103.20", "docker:con1", "eth1"],
      ["unknown_address", "10.10.103.30", null, "br1"],
    ]);
    expect(found[0]?.key).toBe("unknown_address|p1|10.10.103.20|h1|docker:con1|eth1");
  });

  it("duplicate_address: one address on two endpoints (two hosts), evidence lists both", () => {
    const h1 = host("h1", inventory([container("con1", [{ name: "eth1", address: "10.10.103.5" }])]));
    const h2 = host("h2", inventory([container("con9", [{ name: "eth1", address: "10.10.103.5" }])]));
    const found = run({ hosts: [h1, h2], allocations: [alloc("h1", "10.10.103.5", "con1")] });
    expect(found.map((f) => f.kind)).toEqual(["duplicate_address"]);
    expect(found[0]?.evidence.seen.map((s) => s.hostId)).toEqual(["h1", "h2"]);
    expect(found[0]?.key).toBe("duplicate_address|p1|10.10.103.5");
  });

  it("one container seen from two hosts (shared runtime) is one endpoint, not a duplicate", () => {
    const shared = container("con1", [{ name: "eth1", address: "10.10.103.5" }]);
    const h1 = host("h1", inventory([shared]));
    const h2 = host("h2", inventory([shared]));
    expect(run({ hosts: [h1, h2], allocations: [alloc("h1", "10.10.103.5", "con1")] })).toEqual([]);
  });

  it("is pure: same input, same output", () => {
    const input = { hosts: [host("h1", inventory([]))], allocations: [alloc("h1", "10.10.103.5", "con1")] };
    expect(run(input)).toEqual(run(input));
  });
});
