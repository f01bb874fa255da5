import { readFileSync } from "node:fs";
import { join } from "node:path";
import { inventorySchema } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import {
  containerInterfaces,
  hostInterfaces,
  linuxBridges,
  ovsSet,
  parseIpAddrs,
  parseIpLinks,
  parseNetnsList,
  parseOvsList,
  parseOvsTables,
} from "../src/inventory";

/*
 * Fixtures captured on this machine kind from a namespace holding: br0 (10.99.0.1/24, fd00:99::1/64) with
 * veth port vb0 (peer vb1), vc0 whose peer eth0 (10.99.0.5/24) lives in namespace fx5375c, macvlan mv0 on
 * vb1, and a private OVS (netdev) bridge ovs0 with vo0 (tag 100, external_ids switchyard=yes) and vt0
 * (trunks 100,200, interface external_ids iface-id=abc).
 */
const fixture = (name: string) => readFileSync(join(import.meta.dirname, "inventory-fixtures", name), "utf8");

describe("ip -j -d link / ip -j addr", () => {
  const links = parseIpLinks(fixture("ip-link.out"));
  const addrs = parseIpAddrs(fixture("ip-addr.out"));
  const interfaces = hostInterfaces(links, addrs);
  const byName = (name: string) => {
    const found = interfaces.find((i) => i.name === name);
    if (!found) throw new Error(`no interface ${name}`);
    return found;
  };

  it("reads every link with kind, mac, mtu, operstate and master", () => {
    expect(interfaces.map((i) => i.name)).toEqual([
      "br0",
      "lo",
      "mv0",
      "ovs-netdev",
      "ovs0",
      "vb0",
      "vb1",
      "vc0",
      "vo0",
      "vo1",
      "vt0",
      "vt1",
    ]);
    expect(byName("br0")).toMatchObject({ kind: "bridge", mtu: 1500, operState: "UP", master: null });
    expect(byName("vb0")).toMatchObject({ kind: "veth", master: "br0", mac: "4a:fc:37:df:17:97" });
    expect(byName("mv0")).toMatchObject({ kind: "macvlan", operState: "DOWN", peerIndex: null });
    expect(byName("lo")).toMatchObject({ kind: "", mtu: 65536 });
    expect(byName("ovs0").kind).toBe("tun");
  });

  it("finds the veth peer index by name in the same namespace and by link_index across namespaces", () => {
    expect(byName("vb0").peerIndex).toBe(byName("vb1").index);
    expect(byName("vb1").peerIndex).toBe(byName("vb0").index);
    // vc0's peer is eth0 (ifindex 2) inside namespace fx5375c.
    expect(byName("vc0").peerIndex).toBe(2);
  });

  it("attaches sorted addresses from ip -j addr", () => {
    expect(byName("br0").addresses).toEqual([
      { family: "inet", address: "10.99.0.1", prefixLength: 24 },
      { family: "inet6", address: "fd00:99::1", prefixLength: 64 },
      { family: "inet6", address: "fe80::b0b3:42ff:fe1c:90ad", prefixLength: 64 },
    ]);
    expect(byName("lo").addresses.map((a) => a.address)).toEqual(["127.0.0.1", "::1"]);
    expect(byName("mv0").addresses).toEqual([]);
  });

  it("derives Linux bridges and their ports from master + kind bridge", () => {
    expect(linuxBridges(interfaces)).toEqual([{ name: "br0", ports: ["vb0"] }]);
  });

  it("does not count an OVS system datapath or other masters as Linux bridges", () => {
    const fake = [
      { name: "ovs-system", kind: "openvswitch", master: null },
      { name: "eth1", kind: "", master: "ovs-system" },
      { name: "br1", kind: "bridge", master: null },
    ];
    expect(linuxBridges(fake)).toEqual([{ name: "br1", ports: [] }]);
  });

  it("parses a container namespace, leaving out loopback, with the host-side peer index", () => {
    const ifaces = containerInterfaces(parseIpLinks(fixture("container-addr.out")));
    expect(ifaces).toEqual([
      {
        name: "eth0",
        index: 2,
        kind: "veth",
        mac: "6e:a1:85:dc:15:3b",
        peerIndex: 5,
        addresses: [
          { family: "inet", address: "10.99.0.5", prefixLength: 24 },
          { family: "inet6", address: "fe80::6ca1:85ff:fedc:153b", prefixLength: 64 },
        ],
      },
    ]);
  });

  it("accepts empty output and rejects non-JSON with the command named", () => {
    expect(parseIpLinks("")).toEqual([]);
    expect(parseNetnsList("\n")).toEqual([]);
    expect(() => parseIpLinks("Cannot open netlink socket")).toThrow(/ip link: output is not JSON/);
    expect(() => parseIpLinks('{"a":1}')).toThrow(/expected a JSON array/);
  });

  it("falls back to the links' own addr_info when no address map is given (ip -j -d addr alone)", () => {
    const fromAddr = hostInterfaces(parseIpLinks(fixture("ip-addr.out")));
    expect(fromAddr.find((i) => i.name === "br0")?.addresses).toHaveLength(3);
  });
});

describe("ip -j netns list", () => {
  it("reads names, with or without a netnsid", () => {
    expect(parseNetnsList(fixture("netns-list.out"))).toEqual(["fx5375h", "fx5375c"]);
  });
});

describe("ovs-vsctl --format=json list Bridge -- list Port -- list Interface", () => {
  it("splits the chained output into three tables", () => {
    const tables = parseOvsTables(fixture("ovs-list.out"));
    expect(tables).toHaveLength(3);
    expect(tables[0]?.[0]?.name).toBe("ovs0");
  });

  it("joins bridges, ports and interfaces with tags, trunks, types and external ids", () => {
    expect(parseOvsList(fixture("ovs-list.out"))).toEqual([
      {
        name: "ovs0",
        datapathType: "netdev",
        ports: [
          { name: "ovs0", tag: null, trunks: [], interfaceType: "internal", externalIds: {} },
          { name: "vo0", tag: 100, trunks: [], interfaceType: "", externalIds: { switchyard: "yes" } },
          {
            name: "vt0",
            tag: null,
            trunks: [100, 200],
            interfaceType: "",
            externalIds: { "iface-id": "abc" },
          },
        ],
      },
    ]);
  });

  it("treats a bare atom as a one-element set (one port, one trunk)", () => {
    expect(ovsSet(["set", []])).toEqual([]);
    expect(ovsSet(7)).toEqual([7]);
    const bridge =
      '{"data":[[["uuid","b1"],"br","system",["uuid","p1"]]],"headings":["_uuid","name","datapath_type","ports"]}';
    const port =
      '{"data":[[["uuid","p1"],"up0",["set",[]],300,["set",[["uuid","i1"],["uuid","i2"]]],["map",[["k","port"]]]]],"headings":["_uuid","name","tag","trunks","interfaces","external_ids"]}';
    const iface =
      '{"data":[[["uuid","i1"],"eth1","",["map",[["k","iface"],["a","b"]]]],[["uuid","i2"],"eth2","",["map",[]]]],"headings":["_uuid","name","type","external_ids"]}';
    expect(parseOvsList([bridge, port, iface].join("\n"))).toEqual([
      {
        name: "br",
        datapathType: "system",
        ports: [
          {
            name: "up0",
            tag: null,
            trunks: [300],
            interfaceType: "bond",
            externalIds: { k: "port", a: "b" },
          },
        ],
      },
    ]);
  });

  it("fails clearly on truncated output", () => {
    expect(() => parseOvsList('{"data":[],"headings":[]}')).toThrow(/three tables/);
    expect(() => parseOvsList("ovs-vsctl: no such table")).toThrow(/not JSON/);
  });
});

describe("a whole parsed inventory", () => {
  it("satisfies the protocol schema", () => {
    const interfaces = hostInterfaces(
      parseIpLinks(fixture("ip-link.out")),
      parseIpAddrs(fixture("ip-addr.out")),
    );
    const inventory = {
      collectedAt: new Date(0).toISOString(),
      hostname: "h1",
      interfaces,
      bridges: linuxBridges(interfaces),
      ovs: { available: true, error: null, bridges: parseOvsList(fixture("ovs-list.out")) },
      namespaces: ["fx5375c"],
      docker: { available: false, error: "docker socket /var/run/docker.sock not found" },
      containers: [
        {
          id: "fx5375c",
          name: "fx5375c",
          runtime: "netns" as const,
          state: "running",
          pid: null,
          interfaces: containerInterfaces(parseIpLinks(fixture("container-addr.out"))),
        },
      ],
    };
    expect(inventorySchema.safeParse(inventory).success).toBe(true);
  });
});
