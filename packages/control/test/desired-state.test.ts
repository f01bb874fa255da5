import type { Inventory } from "@switchyard/protocol";
import { desiredStateSchema } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import {
  type BuildAttachment,
  type BuildHost,
  type BuildNetwork,
  buildDesiredState,
  planDesiredState,
  underlayAddress,
} from "../src/desired-state";

function inv(interfaces: { name: string; kind?: string; v4?: string[] }[]): Inventory {
  return {
    collectedAt: "2026-01-01T00:00:00.000Z",
    hostname: "h",
    interfaces: interfaces.map((i, index) => ({
      name: i.name,
      index,
      kind: i.kind ?? "",
      mac: null,
      mtu: 1500,
      operState: "UP",
      master: null,
      peerIndex: null,
      addresses: (i.v4 ?? []).map((address) => ({ family: "inet" as const, address, prefixLength: 24 })),
    })),
    bridges: [],
    ovs: { available: true, error: null, bridges: [] },
    namespaces: [],
    docker: { available: false, error: null },
    containers: [],
  };
}

const host = (id: string, serial: number, inventory: Inventory | null): BuildHost => ({
  id,
  desiredSerial: serial,
  inventory,
});

const h1 = host(
  "h1",
  7,
  inv([
    { name: "lo", v4: ["127.0.0.1"] },
    { name: "eth0", kind: "veth", v4: ["10.99.1.11"] },
  ]),
);
const h2 = host("h2", 3, inv([{ name: "eth0", kind: "veth", v4: ["10.99.2.12"] }]));
const h3 = host("h3", 1, inv([{ name: "eth9", v4: ["10.99.3.13"] }]));

const base = {
  gateway: null,
  vlan: null,
  vni: null,
  vxlanPort: null,
  bridgeName: null,
  uplink: null,
  mtu: null,
  hostOverrides: [],
  prefixLength: 24,
};
const vlan100: BuildNetwork = {
  ...base,
  id: "n100",
  name: "vlan100",
  driver: "ovs",
  vlan: 100,
  bridgeName: "ovs0",
  uplink: "eth1",
};
const vx: BuildNetwork = {
  ...base,
  id: "nvx",
  name: "vx",
  driver: "vxlan",
  vni: 42,
  vxlanPort: 4789,
  bridgeName: "brvx42",
};
const mv: BuildNetwork = { ...base, id: "nmv", name: "mv", driver: "macvlan", uplink: null };

let n = 0;
function att(hostId: string, networkId: string, extra: Partial<BuildAttachment> = {}): BuildAttachment {
  n += 1;
  return {
    id: `a${String(n).padStart(2, "0")}`,
    networkId,
    hostId,
    containerRuntime: "netns",
    containerRef: `c${n}`,
    ifname: "eth1",
    address: `192.168.0.${n}`,
    prefixLength: 24,
    mac: null,
    setDefaultRoute: false,
    status: "applied",
    ...extra,
  };
}

describe("buildDesiredState", () => {
  it("carries the host's serial, its wanted endpoints and the networks they use, valid by the protocol schema", () => {
    const a = att("h1", "n100", { mac: "02:00:00:00:00:aa" });
    const pending = att("h1", "n100", { status: "pending" });
    const failed = att("h1", "n100", { status: "failed" });
    const other = att("h2", "n100");
    const state = buildDesiredState(h1, [vlan100], [a, pending, failed, other], [h2]);
    expect(desiredStateSchema.safeParse(state).success).toBe(true);
    expect(state.serial).toBe(7);
    expect(state.networks).toEqual([
      {
        id: "n100",
        name: "vlan100",
        driver: "ovs",
        prefixLength: 24,
        bridgeName: "ovs0",
        uplink: "eth1",
        vlan: 100,
      },
    ]);
    expect(state.endpoints.map((e) => e.id)).toEqual([a.id, pending.id, failed.id]);
    expect(state.endpoints[0]).toMatchObject({
      mac: "02:00:00:00:00:aa",
      container: { runtime: "netns", ref: a.containerRef },
    });
  });

  it("leaves detaching and detached endpoints out, and a network with no endpoint left", () => {
    const keep = att("h1", "n100");
    const going = att("h1", "nvx", { status: "detaching" });
    const gone = att("h1", "n100", { status: "detached" });
    const state = buildDesiredState(h1, [vlan100, vx], [keep, going, gone], []);
    expect(state.endpoints.map((e) => e.id)).toEqual([keep.id]);
    expect(state.networks.map((x) => x.id)).toEqual(["n100"]);
    expect(buildDesiredState(h1, [vlan100], [going, gone], [])).toEqual({
      serial: 7,
      networks: [],
      endpoints: [],
    });
  });

  it("VXLAN peers are the underlay addresses of the OTHER hosts with a wanted endpoint on the network", () => {
    const mine = att("h1", "nvx");
    const onH2 = att("h2", "nvx");
    const onH2b = att("h2", "nvx");
    const detachingOnH3 = att("h3", "nvx", { status: "detaching" });
    const state = buildDesiredState(h1, [vx], [mine, onH2, onH2b, detachingOnH3], [h2, h3]);
    expect(state.networks[0]?.vxlan).toEqual({
      localAddress: "10.99.1.11",
      peers: ["10.99.2.12"],
      dstPort: 4789,
    });
    expect(state.networks[0]).toMatchObject({ vni: 42, bridgeName: "brvx42" });
    expect(state.networks[0]?.uplink).toBeUndefined();
    const withH3 = buildDesiredState(
      h1,
      [vx],
      [mine, onH2, att("h3", "nvx", { status: "pending" })],
      [h2, h3],
    );
    expect(withH3.networks[0]?.vxlan?.peers).toEqual(["10.99.2.12", "10.99.3.13"]);
    // h2's view: h1 is its only peer
    const fromH2 = buildDesiredState(h2, [vx], [mine, onH2], [h1]);
    expect(fromH2.networks[0]?.vxlan).toEqual({
      localAddress: "10.99.2.12",
      peers: ["10.99.1.11"],
      dstPort: 4789,
    });
  });

  it("per-host overrides win: bridge, uplink, underlay address (own and peers')", () => {
    const net: BuildNetwork = {
      ...vx,
      hostOverrides: [
        { hostId: "h1", bridgeName: "brA", uplink: null, underlayAddress: "172.16.0.1" },
        { hostId: "h2", bridgeName: null, uplink: null, underlayAddress: "172.16.0.2" },
      ],
    };
    const state = buildDesiredState(h1, [net], [att("h1", "nvx"), att("h2", "nvx")], [h2]);
    expect(state.networks[0]).toMatchObject({
      bridgeName: "brA",
      vxlan: { localAddress: "172.16.0.1", peers: ["172.16.0.2"] },
    });
    const ovs: BuildNetwork = {
      ...vlan100,
      hostOverrides: [{ hostId: "h2", bridgeName: "ovs-b", uplink: "bond1", underlayAddress: null }],
    };
    expect(buildDesiredState(h2, [ovs], [att("h2", "n100")], []).networks[0]).toMatchObject({
      bridgeName: "ovs-b",
      uplink: "bond1",
      vlan: 100,
    });
    expect(buildDesiredState(h1, [ovs], [att("h1", "n100")], []).networks[0]).toMatchObject({
      bridgeName: "ovs0",
      uplink: "eth1",
    });
  });

  it("reports endpoints it cannot build (macvlan without parent, vxlan without underlay) instead of emitting an invalid state", () => {
    const a = att("h1", "nmv");
    const b = att("h1", "nvx");
    const noInventory = host("h1", 2, null);
    const plan = planDesiredState(noInventory, [mv, vx], [a, b], []);
    expect(plan.state.endpoints).toEqual([]);
    expect(plan.problems.map((p) => [p.attachmentId, /uplink|underlay/.test(p.error)])).toEqual([
      [a.id, true],
      [b.id, true],
    ]);
    const mvFixed: BuildNetwork = {
      ...mv,
      hostOverrides: [{ hostId: "h1", bridgeName: null, uplink: "eth3", underlayAddress: null }],
    };
    const ok = planDesiredState(noInventory, [mvFixed], [a], []);
    expect(ok.problems).toEqual([]);
    expect(ok.state.networks[0]).toMatchObject({ driver: "macvlan", uplink: "eth3" });
    expect(ok.state.networks[0]?.bridgeName).toBeUndefined();
  });
});

describe("underlayAddress", () => {
  const inventory = inv([
    { name: "lo", v4: ["127.0.0.1"] },
    { name: "sy12345678h", kind: "veth", v4: ["192.168.0.9"] },
    { name: "vx42", kind: "vxlan", v4: ["192.168.5.1"] },
    { name: "br0", kind: "bridge", v4: ["10.0.0.1"] },
    { name: "eth0", kind: "", v4: ["169.254.3.3", "10.1.1.1"] },
    { name: "eth1", kind: "", v4: ["10.2.2.2"] },
  ]);
  it("override, then the uplink's address, then the first non-bridge interface Switchyard did not make, then bridges", () => {
    expect(underlayAddress("172.16.0.9", "eth1", inventory)).toBe("172.16.0.9");
    expect(underlayAddress(null, "eth1", inventory)).toBe("10.2.2.2");
    expect(underlayAddress(null, "missing", inventory)).toBe("10.1.1.1");
    expect(underlayAddress(null, null, inventory)).toBe("10.1.1.1");
    expect(underlayAddress(null, null, inv([{ name: "br0", kind: "bridge", v4: ["10.0.0.1"] }]))).toBe(
      "10.0.0.1",
    );
    expect(underlayAddress(null, null, inv([{ name: "lo", v4: ["127.0.0.1"] }]))).toBeNull();
    expect(underlayAddress(null, "eth0", null)).toBeNull();
  });
});
