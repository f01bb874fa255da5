import type { Container, Inventory, OvsPort } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import { type DriftEndpoint, type DriftNetwork, findDrift } from "../src/topology/drift";
import { hostInterface } from "./inventory-fixture";

/*
 * One host as the agent leaves it: OVS bridge ovs0 (trunk eth1, every VLAN) with web's eth1 on VLAN 100,
 * Linux bridge br0 with db's eth1, a VXLAN network's bridge brx with app's eth1, and mac's macvlan eth1.
 */
const ovsNet: DriftNetwork = {
  id: "n-ovs",
  name: "v100",
  driver: "ovs",
  bridgeName: "ovs0",
  uplink: "eth1",
  vlan: 100,
};
const ovs200: DriftNetwork = { ...ovsNet, id: "n-ovs200", name: "v200", vlan: 200 };
const brNet: DriftNetwork = {
  id: "n-br",
  name: "flat",
  driver: "bridge",
  bridgeName: "br0",
  uplink: null,
  vlan: null,
};
const vxNet: DriftNetwork = {
  id: "n-vx",
  name: "overlay",
  driver: "vxlan",
  bridgeName: "brx",
  uplink: null,
  vlan: null,
};
const macNet: DriftNetwork = {
  id: "n-mac",
  name: "lan",
  driver: "macvlan",
  bridgeName: null,
  uplink: "eth0",
  vlan: null,
};
const networks = [ovsNet, ovs200, brNet, vxNet, macNet];

const endpoint = (id: string, networkId: string, ref: string, address: string, hostIfname: string | null) =>
  ({
    id,
    networkId,
    status: "applied",
    error: null,
    runtime: "netns",
    ref,
    ifname: "eth1",
    address,
    hostIfname,
  }) satisfies DriftEndpoint;

const web = endpoint("a1", "n-ovs", "web", "10.0.0.11", "sy00000001h");
const db = endpoint("a2", "n-br", "db", "10.0.1.12", "sy00000002h");
const app = endpoint("a3", "n-vx", "app", "10.0.2.13", "sy00000003h");
const mac = endpoint("a4", "n-mac", "mac", "10.0.3.14", null);
const endpoints = [web, db, app, mac];

const container = (name: string, peer: number | null, address: string, kind = "veth"): Container => ({
  id: name,
  name,
  runtime: "netns",
  state: "running",
  pid: null,
  interfaces: [
    {
      name: "eth1",
      index: 2,
      kind,
      mac: null,
      peerIndex: peer,
      addresses: [{ family: "inet", address, prefixLength: 24 }],
    },
  ],
});

const port = (name: string, over: Partial<OvsPort> = {}): OvsPort => ({
  name,
  tag: null,
  trunks: [],
  interfaceType: "",
  externalIds: {},
  ...over,
});

function cleanHost(): Inventory {
  return {
    collectedAt: "2026-12-02T00:00:00.000Z",
    hostname: "h1",
    interfaces: [
      hostInterface("eth0", 2, {
        kind: "",
        addresses: [{ family: "inet", address: "192.168.1.5", prefixLength: 24 }],
      }),
      hostInterface("eth1", 3, { kind: "", master: "ovs-system" }),
      hostInterface("sy00000001h", 11, { master: "ovs-system" }),
      hostInterface("sy00000002h", 12, { master: "br0" }),
      hostInterface("sy00000003h", 13, { master: "brx" }),
      hostInterface("br0", 20, { kind: "bridge" }),
      hostInterface("brx", 21, { kind: "bridge" }),
    ],
    bridges: [
      { name: "br0", ports: ["sy00000002h"] },
      { name: "brx", ports: ["sy00000003h"] },
    ],
    ovs: {
      available: true,
      error: null,
      bridges: [
        {
          name: "ovs0",
          datapathType: "",
          ports: [
            port("ovs0", { interfaceType: "internal" }),
            port("eth1"),
            port("sy00000001h", { tag: 100 }),
          ],
        },
      ],
    },
    namespaces: ["web", "db", "app", "mac"],
    docker: { available: false, error: null },
    containers: [
      container("web", 11, "10.0.0.11"),
      container("db", 12, "10.0.1.12"),
      container("app", 13, "10.0.2.13"),
      container("mac", null, "10.0.3.14", "macvlan"),
    ],
  };
}

/** The clean host changed by `change` (a copy: every test starts clean). */
function host(change: (inv: Inventory) => void): Inventory {
  const inv = structuredClone(cleanHost());
  change(inv);
  return inv;
}

const kinds = (items: ReturnType<typeof findDrift>) => items.map((i) => i.kind);
const ovsPorts = (inv: Inventory) => inv.ovs.bridges[0]?.ports ?? [];

describe("findDrift (what the host shows against what Switchyard wants)", () => {
  it("finds nothing on a host that matches: OVS, bridge, VXLAN and macvlan endpoints", () => {
    expect(findDrift(endpoints, networks, cleanHost())).toEqual([]);
  });

  it("missing_veth: a veth deleted by hand (both ends gone) names the container, ifname and host end", () => {
    const inv = host((i) => {
      i.interfaces = i.interfaces.filter((x) => x.name !== "sy00000001h");
      (i.containers[0] as Container).interfaces = [];
      (i.ovs.bridges[0] as { ports: OvsPort[] }).ports = ovsPorts(i).filter((p) => p.name !== "sy00000001h");
    });
    expect(findDrift(endpoints, networks, inv)).toEqual([
      {
        kind: "missing_veth",
        attachmentId: "a1",
        networkId: "n-ovs",
        container: "netns:web",
        containerId: "web",
        ifname: "eth1",
        bridge: null,
        port: "sy00000001h",
        expected: "veth sy00000001h <-> eth1 in netns:web",
        actual: "neither end",
        text: "veth sy00000001h <-> eth1 in netns:web: neither end",
      },
    ]);
  });

  it("missing_veth: one end gone, the pair broken, the container gone, a macvlan gone", () => {
    const noInside = host((i) => {
      (i.containers[1] as Container).interfaces = [];
    });
    expect(findDrift([db], networks, noInside)[0]?.actual).toBe(
      "host end sy00000002h without its container side",
    );
    const noHostEnd = host((i) => {
      i.interfaces = i.interfaces.filter((x) => x.name !== "sy00000002h");
    });
    expect(findDrift([db], networks, noHostEnd)[0]?.actual).toBe("no host end sy00000002h");
    const unpaired = host((i) => {
      const inside = i.containers[1]?.interfaces[0];
      if (inside) inside.peerIndex = 99;
    });
    expect(findDrift([db], networks, unpaired)[0]).toMatchObject({
      kind: "missing_veth",
      text: "veth sy00000002h <-> eth1 in netns:db: not each other's peer",
    });
    const gone = host((i) => {
      i.containers = i.containers.filter((c) => c.name !== "app");
    });
    expect(findDrift([app], networks, gone)[0]).toMatchObject({
      kind: "missing_veth",
      containerId: null,
      actual: "no such container",
    });
    const noMacvlan = host((i) => {
      (i.containers[3] as Container).interfaces = [];
    });
    expect(findDrift([mac], networks, noMacvlan)).toMatchObject([
      { kind: "missing_veth", actual: "missing" },
    ]);
  });

  it("missing_port: a host end on no bridge or another one (Linux and OVS)", () => {
    const loose = host((i) => {
      const end = i.interfaces.find((x) => x.name === "sy00000002h");
      if (end) end.master = null;
    });
    expect(findDrift([db], networks, loose)).toMatchObject([
      {
        kind: "missing_port",
        bridge: "br0",
        port: "sy00000002h",
        expected: "port of br0",
        actual: "on no bridge",
      },
    ]);
    const elsewhere = host((i) => {
      const end = i.interfaces.find((x) => x.name === "sy00000003h");
      if (end) end.master = "br0";
    });
    expect(findDrift([app], networks, elsewhere)[0]?.actual).toBe("port of br0");
    const unplugged = host((i) => {
      (i.ovs.bridges[0] as { ports: OvsPort[] }).ports = ovsPorts(i).filter((p) => p.name !== "sy00000001h");
    });
    expect(findDrift([web], networks, unplugged)).toMatchObject([
      { kind: "missing_port", bridge: "ovs0", actual: "not an OVS port" },
    ]);
    const otherOvs = host((i) => {
      (i.ovs.bridges[0] as { ports: OvsPort[] }).ports = ovsPorts(i).filter((p) => p.name !== "sy00000001h");
      i.ovs.bridges.push({ name: "ovs9", datapathType: "", ports: [port("sy00000001h", { tag: 100 })] });
    });
    expect(findDrift([web], networks, otherOvs)[0]?.actual).toBe("port of ovs9");
  });

  it("missing_port: the trunk uplink off the OVS bridge, said once for every network on it", () => {
    const web200 = { ...endpoint("a5", "n-ovs200", "web", "10.0.0.15", null), ifname: "eth2" };
    const inv = host((i) => {
      (i.ovs.bridges[0] as { ports: OvsPort[] }).ports = ovsPorts(i).filter((p) => p.name !== "eth1");
      i.containers[0]?.interfaces.push({
        ...(i.containers[0]?.interfaces[0] as Container["interfaces"][0]),
        name: "eth2",
        addresses: [{ family: "inet", address: "10.0.0.15", prefixLength: 24 }],
      });
    });
    expect(findDrift([web, web200], networks, inv)).toEqual([
      expect.objectContaining({
        kind: "missing_port",
        attachmentId: null,
        networkId: "n-ovs",
        bridge: "ovs0",
        port: "eth1",
        text: "uplink eth1 is not a trunk port of OVS bridge ovs0",
      }),
    ]);
  });

  it("wrong_tag: the endpoint's OVS port on another VLAN, or tagged on an untagged network", () => {
    const retagged = host((i) => {
      const p = ovsPorts(i).find((x) => x.name === "sy00000001h");
      if (p) p.tag = 200;
    });
    expect(findDrift([web], networks, retagged)).toMatchObject([
      {
        kind: "wrong_tag",
        bridge: "ovs0",
        port: "sy00000001h",
        expected: "tag 100",
        actual: "tag 200",
        text: "sy00000001h on ovs0 has tag 200, network v100 wants tag 100",
      },
    ]);
    const untagged = { ...ovsNet, vlan: null };
    expect(findDrift([web], [untagged], cleanHost())).toMatchObject([
      { kind: "wrong_tag", expected: "no tag", actual: "tag 100" },
    ]);
  });

  it("vlan_not_on_trunk: trunks without the VLAN, or an access port as uplink; an empty trunk list carries all", () => {
    const trunks = (t: number[], tag: number | null = null) =>
      host((i) => {
        const p = ovsPorts(i).find((x) => x.name === "eth1");
        if (p) {
          p.trunks = t;
          p.tag = tag;
        }
      });
    expect(findDrift([web], networks, trunks([200, 300]))).toMatchObject([
      {
        kind: "vlan_not_on_trunk",
        networkId: "n-ovs",
        bridge: "ovs0",
        port: "eth1",
        expected: "trunk carrying 100",
        actual: "trunks 200,300",
        text: "uplink eth1 on ovs0 does not carry VLAN 100 (trunks 200,300)",
      },
    ]);
    expect(findDrift([web], networks, trunks([], 7))[0]?.actual).toBe("access port (tag 7)");
    expect(findDrift([web], networks, trunks([100, 200]))).toEqual([]);
    expect(findDrift([web], networks, trunks([]))).toEqual([]);
    // Only networks with an applied endpoint: a pending one is still on its way.
    expect(findDrift([{ ...web, status: "pending" }], networks, trunks([200]))).toEqual([]);
  });

  it("unknown_interface_with_managed_address: another container's or the host's interface with an endpoint's address", () => {
    const copied = host((i) => {
      i.containers.push(container("rogue", null, "10.0.0.11"));
      const eth0 = i.interfaces[0];
      eth0?.addresses.push({ family: "inet", address: "10.0.1.12", prefixLength: 24 });
    });
    expect(findDrift(endpoints, networks, copied)).toEqual([
      expect.objectContaining({
        kind: "unknown_interface_with_managed_address",
        attachmentId: "a1",
        container: "netns:rogue",
        containerId: "rogue",
        ifname: "eth1",
        expected: "only on eth1 in netns:web",
        actual: "on eth1 in netns:rogue",
      }),
      expect.objectContaining({
        kind: "unknown_interface_with_managed_address",
        attachmentId: "a2",
        container: null,
        port: "eth0",
        text: "host interface eth0 carries 10.0.1.12, assigned to eth1 in netns:db",
      }),
    ]);
    // The same address on two segments (pools of their own): each endpoint's own interface is no stray.
    const twin = { ...endpoint("a6", "n-br", "db", "10.0.0.11", "sy00000002h") };
    const both = host((i) => {
      const inside = i.containers[1]?.interfaces[0];
      if (inside) inside.addresses = [{ family: "inet", address: "10.0.0.11", prefixLength: 24 }];
    });
    expect(findDrift([web, twin], networks, both)).toEqual([]);
  });

  it("failed: every failed endpoint, even without an inventory; pending ones are nothing yet", () => {
    const failed = { ...db, status: "failed" as const, error: "RTNETLINK answers: File exists" };
    const items = findDrift([failed, { ...web, status: "pending" }], networks, null);
    expect(items).toEqual([
      expect.objectContaining({
        kind: "failed",
        attachmentId: "a2",
        expected: "applied",
        actual: "RTNETLINK answers: File exists",
        text: "netns:db eth1: the agent failed it: RTNETLINK answers: File exists",
      }),
    ]);
    expect(findDrift([web], networks, null)).toEqual([]);
  });

  it("tells nothing about OVS ports when the OVS database did not answer", () => {
    const blind = host((i) => {
      i.ovs = { available: false, error: "connection refused", bridges: [] };
    });
    expect(findDrift(endpoints, networks, blind)).toEqual([]);
  });

  it("finds a Docker container by a short id, and skips an endpoint whose network is unknown", () => {
    const id = "0123456789abcdef0123456789abcdef";
    const inv = host((i) => {
      const c = i.containers[0] as Container;
      i.containers[0] = { ...c, id, name: "web-1", runtime: "docker" };
    });
    const short = { ...web, runtime: "docker", ref: id.slice(0, 12) };
    expect(findDrift([short], networks, inv)).toEqual([]);
    expect(kinds(findDrift([{ ...short, ref: "0123" }], networks, inv))).toEqual([
      "missing_veth",
      "unknown_interface_with_managed_address",
    ]);
    expect(findDrift([{ ...web, networkId: "n-gone" }], networks, cleanHost())).toEqual([]);
  });
});
