import { desiredStateSchema, macAddressSchema } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_DRIVER_OPTIONS,
  deriveMac,
  hostIfname,
  OWNED_LINK_PATTERN,
  parseFloodDestinations,
  parseLinks,
  trunkVlans,
} from "../src/drivers";

const network = { id: "n1", name: "n1", driver: "bridge", bridgeName: "br0", prefixLength: 24 } as const;
const endpoint = {
  id: "e1",
  networkId: "n1",
  container: { runtime: "netns", ref: "c1" },
  address: "10.0.0.2",
} as const;

describe("names", () => {
  it("host-side veth names are deterministic, distinct, at most 15 bytes and recognizably ours", () => {
    const a = hostIfname("attachment-1");
    expect(a).toBe(hostIfname("attachment-1"));
    expect(a).not.toBe(hostIfname("attachment-2"));
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(15);
    expect(a).toMatch(OWNED_LINK_PATTERN);
    expect(hostIfname("x".repeat(64))).toHaveLength(11);
  });

  it("derived MACs are deterministic, unicast and locally administered", () => {
    const mac = deriveMac("attachment-1");
    expect(mac).toBe(deriveMac("attachment-1"));
    expect(mac).not.toBe(deriveMac("attachment-2"));
    expect(macAddressSchema.parse(mac)).toBe(mac);
    const first = Number.parseInt(mac.slice(0, 2), 16);
    expect(first & 0b10).toBe(0b10);
    expect(first & 0b01).toBe(0);
  });
});

describe("parsing ip and bridge JSON", () => {
  it("reads kind, state, master, alias, peer index, VXLAN data and addresses", () => {
    const json = JSON.stringify([
      {
        ifindex: 1,
        ifname: "lo",
        flags: ["LOOPBACK", "UP"],
        mtu: 65536,
        address: "00:00:00:00:00:00",
        addr_info: [],
      },
      {
        ifindex: 7,
        link_index: 2,
        ifname: "sy0123abcdh",
        flags: ["BROADCAST", "UP", "LOWER_UP"],
        mtu: 1500,
        master: "br0",
        address: "5a:3d:8c:c1:62:86",
        ifalias: "switchyard:ep=e1",
        linkinfo: { info_kind: "veth", info_slave_kind: "bridge" },
        addr_info: [{ family: "inet", local: "10.0.0.1", prefixlen: 24, scope: "global" }],
      },
      {
        ifindex: 9,
        ifname: "vx42",
        flags: ["BROADCAST"],
        mtu: 1450,
        linkinfo: { info_kind: "vxlan", info_data: { id: 42, local: "10.99.1.11", port: 4789 } },
      },
    ]);
    const [lo, veth, vx] = parseLinks(json);
    expect(lo).toMatchObject({ name: "lo", kind: "", up: true, master: null, alias: null });
    expect(veth).toMatchObject({
      index: 7,
      kind: "veth",
      up: true,
      master: "br0",
      alias: "switchyard:ep=e1",
      linkIndex: 2,
    });
    expect(veth?.addresses).toEqual([
      { family: "inet", address: "10.0.0.1", prefixLength: 24, scope: "global" },
    ]);
    expect(vx).toMatchObject({
      kind: "vxlan",
      up: false,
      mtu: 1450,
      info: { id: 42, local: "10.99.1.11", port: 4789 },
    });
    expect(parseLinks("")).toEqual([]);
  });

  it("keeps only the all-zero flood entries of a VXLAN FDB", () => {
    const json = JSON.stringify([
      { mac: "00:00:00:00:00:00", dst: "10.99.2.12", flags: ["self"], state: "permanent" },
      { mac: "02:11:22:33:44:55", dst: "10.99.2.12", flags: ["self"] },
      { mac: "00:00:00:00:00:00", dst: "10.99.1.13", flags: ["self"], state: "permanent" },
    ]);
    expect(parseFloodDestinations(json)).toEqual(["10.99.1.13", "10.99.2.12"]);
  });
});

describe("OVS uplink trunks", () => {
  const ovs = (id: string, vlan?: number) => ({
    ...network,
    id,
    name: id,
    driver: "ovs" as const,
    bridgeName: "ovs0",
    vlan,
  });
  const state = (networks: ReturnType<typeof ovs>[]) =>
    desiredStateSchema.parse({ serial: 1, networks, endpoints: [] });

  it("carries the VLANs in use on the bridge, sorted and unique", () => {
    const s = state([ovs("a", 200), ovs("b", 100), ovs("c", 200)]);
    expect(trunkVlans("ovs0", s, DEFAULT_DRIVER_OPTIONS)).toEqual([100, 200]);
  });

  it("carries every VLAN when a network on the bridge is untagged or when configured to", () => {
    expect(trunkVlans("ovs0", state([ovs("a", 100), ovs("b")]), DEFAULT_DRIVER_OPTIONS)).toEqual([]);
    expect(
      trunkVlans("ovs0", state([ovs("a", 100)]), { ...DEFAULT_DRIVER_OPTIONS, ovsTrunks: "all" }),
    ).toEqual([]);
  });
});

describe("desired state schema", () => {
  it("fills defaults: ifname eth1, no default route, VXLAN port 4789", () => {
    const vx = {
      id: "v",
      name: "v",
      driver: "vxlan",
      bridgeName: "brvx",
      vni: 42,
      vxlan: { localAddress: "10.0.0.1", peers: ["10.0.1.1"] },
      prefixLength: 24,
    };
    const s = desiredStateSchema.parse({ serial: 3, networks: [network, vx], endpoints: [endpoint] });
    expect(s.endpoints[0]).toMatchObject({ ifname: "eth1", setDefaultRoute: false });
    expect(s.networks[1]?.vxlan?.dstPort).toBe(4789);
  });

  const rejects = (patch: object, where: "network" | "endpoint", message: RegExp) => {
    const input = {
      serial: 1,
      networks: [where === "network" ? { ...network, ...patch } : network],
      endpoints: [where === "endpoint" ? { ...endpoint, ...patch } : endpoint],
    };
    const result = desiredStateSchema.safeParse(input);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.message).join("; ")).toMatch(message);
  };

  it("refuses incomplete or inconsistent networks", () => {
    rejects({ driver: "ovs", bridgeName: undefined }, "network", /needs bridgeName/);
    rejects({ driver: "macvlan", bridgeName: undefined }, "network", /needs uplink/);
    rejects({ driver: "vxlan" }, "network", /needs vni/);
    rejects({ vlan: 100 }, "network", /only ovs networks/);
    rejects({ driver: "ovs", vlan: 4095 }, "network", /between 1 and 4094/);
    rejects({ bridgeName: "a-very-long-bridge" }, "network", /at most 15 bytes/);
  });

  it("refuses bad endpoints", () => {
    rejects({ networkId: "nope" }, "endpoint", /unknown network nope/);
    rejects({ ifname: "eth/1" }, "endpoint", /must not contain/);
    rejects({ mac: "zz:00:00:00:00:00" }, "endpoint", /MAC address/);
    rejects({ address: "10.0.0.300" }, "endpoint", /not an IP address/);
    const dup = desiredStateSchema.safeParse({
      serial: 1,
      networks: [network],
      endpoints: [endpoint, endpoint],
    });
    expect(dup.error?.issues[0]?.message).toBe("duplicate endpoint e1");
  });
});
