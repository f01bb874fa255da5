import type {
  Container,
  HostDetail,
  HostStatus,
  Inventory,
  InventoryInterface,
  OvsBridge,
  Topology,
} from "@switchyard/protocol";

export function iface(
  name: string,
  index: number,
  extra: Partial<InventoryInterface> = {},
): InventoryInterface {
  return {
    name,
    index,
    kind: "",
    mac: "02:00:00:00:00:01",
    mtu: 1500,
    operState: "UP",
    master: null,
    peerIndex: null,
    addresses: [],
    ...extra,
  };
}

export function container(name: string, peerIndex: number, address?: string): Container {
  return {
    id: `id-${name}`,
    name,
    runtime: "docker",
    state: "running",
    pid: 100,
    interfaces: [
      {
        name: "eth0",
        index: 2,
        kind: "veth",
        mac: "02:42:00:00:00:02",
        peerIndex,
        addresses: address ? [{ family: "inet", address, prefixLength: 24 }] : [],
      },
    ],
  };
}

export function inventory(extra: Partial<Inventory> = {}): Inventory {
  return {
    collectedAt: "2026-11-27T22:00:00.000Z",
    hostname: "node",
    interfaces: [],
    bridges: [],
    ovs: { available: true, error: null, bridges: [] },
    namespaces: [],
    docker: { available: true, error: null },
    containers: [],
    ...extra,
  };
}

export function ovsBridge(name: string, ports: OvsBridge["ports"]): OvsBridge {
  return { name, datapathType: "netdev", ports };
}

export function ovsPort(name: string, tag: number | null, trunks: number[] = []): OvsBridge["ports"][number] {
  return { name, tag, trunks, interfaceType: "", externalIds: {} };
}

export function host(name: string, status: HostStatus, hostInventory: Inventory | null): HostDetail {
  return {
    id: `hid-${name}`,
    name,
    description: null,
    status,
    hostname: hostInventory?.hostname ?? null,
    agentVersion: "0.1.0",
    lastSeenAt: "2026-11-27T22:00:00.000Z",
    createdAt: "2026-11-27T21:00:00.000Z",
    revokedAt: null,
    inventory: hostInventory,
    inventoryReceivedAt: hostInventory ? "2026-11-27T22:00:00.000Z" : null,
  };
}

export function topology(...hosts: HostDetail[]): Topology {
  return { hosts, generatedAt: "2026-11-27T22:00:01.000Z" };
}

/** The seed's Linux bridge scenario: br0 holds eth1 and the host end of test1's veth. */
export function linuxBridgeHost(): HostDetail {
  return host(
    "host1",
    "online",
    inventory({
      interfaces: [
        iface("lo", 1),
        iface("eth1", 3, { master: "br0" }),
        iface("br0", 4, { kind: "bridge" }),
        iface("veth1pl", 7, { kind: "veth", master: "br0", peerIndex: 2 }),
        iface("veth9", 9, { kind: "veth", peerIndex: 2 }),
      ],
      bridges: [{ name: "br0", ports: ["eth1", "veth1pl"] }],
      containers: [container("test1", 7, "10.10.103.95"), container("lonely", 99)],
    }),
  );
}

/** The seed's OVS scenario on host1: eth1 trunk, con1 on VLAN 100, con2 on VLAN 200. */
export function ovsHost(): HostDetail {
  return host(
    "host2",
    "online",
    inventory({
      interfaces: [
        iface("eth1", 3, { kind: "veth", peerIndex: 40 }),
        iface("ovs0", 4, { kind: "openvswitch" }),
        iface("vcon1", 10, { kind: "veth", peerIndex: 2 }),
        iface("vcon2", 11, { kind: "veth", peerIndex: 2 }),
      ],
      ovs: {
        available: true,
        error: null,
        bridges: [
          ovsBridge("ovs0", [
            ovsPort("ovs0", null),
            ovsPort("eth1", null),
            ovsPort("vcon1", 100),
            ovsPort("vcon2", 200),
          ]),
        ],
      },
      containers: [container("con1", 10, "192.168.0.1"), container("con2", 11, "192.168.0.2")],
    }),
  );
}
