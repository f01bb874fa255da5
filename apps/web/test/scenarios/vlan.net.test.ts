/**
 * The source document's two-host VLAN scenario, end to end: a 2-host lab (each host a namespace with its
 * own OVS on the userspace datapath, eth1 a trunk into the switch namespace), a real control plane, real
 * agents (root namespace, `--netns P-hN`), everything requested through the public REST API.
 *
 * host1 runs con1 (VLAN 100) and con2 (VLAN 200), host2 runs con3 (100) and con4 (200), all in ONE subnet
 * (two ovs networks sharing one IPAM pool): con1<->con3 and con2<->con4 ping, no cross-VLAN pair does;
 * OVS access ports carry tags 100/200 and the trunk uplink carries both. Then detach: nothing left behind
 * (no veth, no OVS port), and re-attaching works.
 */
import type { LabContainerState } from "@switchyard/lab";
import { hostIfname, OVS_ATTACHMENT_KEY } from "@switchyard/netops";
import type { Attachment } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Scenario, startScenario } from "../support/lab-plane";
import { containerLinks, isolated, ovsPorts, pings, switchyardLinks } from "../support/net-checks";

let s: Scenario;
const c: Record<string, LabContainerState> = {};
const att: Record<string, Attachment> = {};
const SUBNET = "192.168.0.0/24";

const con = (name: string): LabContainerState => {
  const found = c[name];
  if (!found) throw new Error(`no container ${name}`);
  return found;
};
const addr = (name: string): string => {
  const a = att[name];
  if (!a) throw new Error(`no attachment for ${name}`);
  return a.address;
};

beforeAll(async () => {
  s = await startScenario({ hosts: 2, prefixBase: "yv" });
  for (const [name, host] of [
    ["con1", "h1"],
    ["con2", "h1"],
    ["con3", "h2"],
    ["con4", "h2"],
  ] as const) {
    c[name] = await s.lab.addNetnsContainer(host, name);
  }
  for (const vlan of [100, 200]) {
    await s.api.createNetwork({
      name: `vlan${vlan}`,
      driver: "ovs",
      subnet: SUBNET,
      vlan,
      bridgeName: "ovs0",
      uplink: "eth1",
    });
  }
});

afterAll(async () => {
  await s?.close();
});

const attach = async (name: string, host: string, network: string) => {
  att[name] = await s.api.attachAndWait({
    host: s.hostName(host),
    container: `netns:${con(name).ref}`,
    network,
    ifname: "eth0",
  });
};

describe("two hosts, VLAN 100 and 200 in one subnet (OVS, trunk uplink)", () => {
  it("attaches con1..con4 through the API; every operation ends applied with distinct addresses", async () => {
    await Promise.all([
      attach("con1", "h1", "vlan100"),
      attach("con2", "h1", "vlan200"),
      attach("con3", "h2", "vlan100"),
      attach("con4", "h2", "vlan200"),
    ]);
    const addresses = ["con1", "con2", "con3", "con4"].map(addr);
    expect(new Set(addresses).size).toBe(4);
    for (const a of addresses) expect(a).toMatch(/^192\.168\.0\./);
    for (const name of ["con1", "con2", "con3", "con4"]) {
      expect(att[name]).toMatchObject({ status: "applied", error: null });
      const links = await containerLinks(s.lab, con(name));
      expect(links.map((l) => l.name)).toEqual(["eth0"]);
      expect(links[0]?.addresses.map((x) => x.address)).toContain(addr(name));
    }
  });

  it("con1<->con3 (VLAN 100) and con2<->con4 (VLAN 200) ping across hosts", async () => {
    expect(await pings(s.lab, con("con1"), addr("con3"))).toBe(true);
    expect(await pings(s.lab, con("con3"), addr("con1"))).toBe(true);
    expect(await pings(s.lab, con("con2"), addr("con4"))).toBe(true);
    expect(await pings(s.lab, con("con4"), addr("con2"))).toBe(true);
  });

  it("no pair across VLANs reaches the other, on one host or across hosts", async () => {
    const pairs: [string, string][] = [
      ["con1", "con2"],
      ["con1", "con4"],
      ["con3", "con2"],
      ["con3", "con4"],
    ];
    const results = await Promise.all(pairs.map(([a, b]) => isolated(s.lab, con(a), addr(b))));
    expect(Object.fromEntries(pairs.map(([a, b], i) => [`${a}->${b}`, results[i]]))).toEqual({
      "con1->con2": true,
      "con1->con4": true,
      "con3->con2": true,
      "con3->con4": true,
    });
  });

  it("OVS: access ports tagged 100/200 naming their attachment, the trunk uplink carries both", async () => {
    for (const [host, pair] of [
      ["h1", ["con1", "con2"]],
      ["h2", ["con3", "con4"]],
    ] as const) {
      const ports = await ovsPorts(s.lab, host);
      const byName = new Map(ports.map((p) => [p.name, p]));
      for (const [name, vlan] of [
        [pair[0], 100],
        [pair[1], 200],
      ] as const) {
        const id = att[name]?.id as string;
        const port = byName.get(hostIfname(id));
        expect(port, `${host} port of ${name}`).toBeDefined();
        expect(port?.tag).toBe(vlan);
        expect(port?.externalIds[OVS_ATTACHMENT_KEY]).toBe(id);
      }
      const trunk = byName.get("eth1");
      expect(trunk?.tag).toBeNull();
      expect(trunk?.trunks).toEqual([100, 200]);
    }
  });

  it("detach leaves no veth and no OVS port behind; re-attaching works", async () => {
    const old = att.con1 as Attachment;
    await s.api.detachAndWait(old.id);
    expect((await s.api.attachment(old.id)).status).toBe("detached");
    const links = (await switchyardLinks(s.lab, "h1")).map((l) => l.name);
    expect(links).not.toContain(hostIfname(old.id));
    expect(links).toEqual([hostIfname(att.con2?.id as string)]);
    const ports = await ovsPorts(s.lab, "h1");
    expect(ports.filter((p) => p.externalIds[OVS_ATTACHMENT_KEY] === old.id)).toEqual([]);
    expect(ports.map((p) => p.name).sort()).toEqual(
      ["eth1", hostIfname(att.con2?.id as string), "ovs0"].sort(),
    );
    expect(await containerLinks(s.lab, con("con1"))).toEqual([]);
    expect(await isolated(s.lab, con("con3"), old.address, 1)).toBe(true);

    await attach("con1", "h1", "vlan100");
    expect(att.con1?.id).not.toBe(old.id);
    expect(await pings(s.lab, con("con1"), addr("con3"))).toBe(true);
    expect(await isolated(s.lab, con("con1"), addr("con4"), 1)).toBe(true);
    const again = await ovsPorts(s.lab, "h1");
    expect(again.find((p) => p.name === hostIfname(att.con1?.id as string))?.tag).toBe(100);
  });
});
