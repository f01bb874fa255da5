/**
 * Real hosts: a routed two-host lab (per-run prefix; each host a namespace with a private OVS on the
 * userspace datapath, uplinks into a switch namespace, underlay in two subnets behind a router, plus a
 * private dockerd) and the reconciler run INSIDE each host namespace, as an agent runs. Checked with real
 * pings and `ovs-vsctl --format=json list port`. Root only; missing prerequisites fail, never skip.
 */
import { createLab, type Lab, type LabContainerState, labPrefix } from "@switchyard/lab";
import type { DesiredNetwork, DesiredStateResult } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deriveMac } from "../src/drivers";
import { ovsMap, ovsSet } from "../src/inventory/ovs";
import { requirePrerequisites } from "../src/testkit";
import { Harness } from "./drivers-harness";

let lab: Lab;
let h: Harness;
const c: Record<string, LabContainerState> = {};
const applyTimes: number[] = [];

const ovsNet = (vlan: number): DesiredNetwork => ({
  id: `vlan${vlan}`,
  name: `vlan${vlan}`,
  driver: "ovs",
  bridgeName: "ovs0",
  uplink: "eth1",
  vlan,
  prefixLength: 24,
});
const flatNet: DesiredNetwork = {
  id: "flat",
  name: "flat",
  driver: "bridge",
  bridgeName: "br0",
  uplink: "eth2",
  prefixLength: 24,
  gateway: "10.10.103.254",
};
const mvNet: DesiredNetwork = { id: "mv", name: "mv", driver: "macvlan", uplink: "eth3", prefixLength: 24 };

function vxNet(host: string, peers: string[]): DesiredNetwork {
  const local = lab.host(host).underlay.address;
  const remote = peers.map((p) => lab.host(p).underlay.address);
  return {
    id: "vx",
    name: "vx",
    driver: "vxlan",
    bridgeName: "brvx",
    vni: 42,
    vxlan: { localAddress: local, peers: remote, dstPort: 4789 },
    prefixLength: 24,
  };
}

function con(name: string): LabContainerState {
  const found = c[name];
  if (!found) throw new Error(`no container ${name}`);
  return found;
}

const attachTo = (
  host: string,
  id: string,
  networkId: string,
  address: string,
  extra: { setDefaultRoute?: boolean; mac?: string } = {},
) => {
  const { runtime, ref } = con(id);
  h.attach(host, { id: `ep-${id}`, networkId, container: { runtime, ref }, address, ...extra });
};

/** Every endpoint applied; records how long each newly created one took (the agent's apply time). */
function expectApplied(result: DesiredStateResult): void {
  const created = new Set(result.events.filter((e) => e.kind === "created").map((e) => e.endpointId));
  for (const r of result.results) {
    expect(r, JSON.stringify(r)).toMatchObject({ status: "applied", error: null });
    if (r.durationMs !== undefined && created.has(r.endpointId)) applyTimes.push(r.durationMs);
  }
}

const messages = (result: DesiredStateResult): string[] => result.events.map((e) => e.message);

beforeAll(async () => {
  await requirePrerequisites({
    root: true,
    programs: {
      ip: "iproute2",
      bridge: "iproute2",
      nsenter: "util-linux",
      ping: "iputils-ping",
      arping: "iputils-arping",
      "ovs-vsctl": "openvswitch-switch",
      "ovs-vswitchd": "openvswitch-switch",
      dockerd: "docker.io",
      docker: "docker.io",
    },
  });
  lab = await createLab({ hosts: 3, prefix: labPrefix(), routed: true, docker: true });
  h = new Harness(lab);
  for (const [host, names] of [
    ["h1", ["con1", "con2", "con5", "con7", "con9", "bad"]],
    ["h2", ["con3", "con4", "con6", "con8", "con10"]],
    ["h3", ["con11"]],
  ] as const) {
    for (const name of names) c[name] = await lab.addNetnsContainer(host, name);
  }
  c.dk1 = await lab.addDockerContainer("h1", "dk1");
  for (const host of ["h1", "h2"]) {
    h.network(host, ovsNet(100));
    h.network(host, ovsNet(200));
    h.network(host, flatNet);
    h.network(host, mvNet);
  }
  h.network("h1", vxNet("h1", ["h2"]));
  h.network("h2", vxNet("h2", ["h1"]));
}, 120_000);

afterAll(async () => {
  if (applyTimes.length > 0) {
    const sorted = [...applyTimes].sort((a, b) => a - b);
    const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    console.log(
      `apply time per new attachment (ms): n=${sorted.length} p50=${p(0.5)} p95=${p(0.95)} max=${sorted.at(-1)}`,
    );
  }
  h?.close();
  await lab?.down();
}, 120_000);

describe("host drivers on a two-host lab", () => {
  it("the source document's VLAN scenario: same VLAN pings across hosts, nothing crosses VLANs", async () => {
    attachTo("h1", "con1", "vlan100", "192.168.0.1");
    attachTo("h1", "con2", "vlan200", "192.168.0.2");
    attachTo("h2", "con3", "vlan100", "192.168.0.3");
    attachTo("h2", "con4", "vlan200", "192.168.0.4");
    expectApplied(await h.apply("h1"));
    expect(h.lastMutations).toContainEqual([
      "nsenter",
      expect.stringContaining("--net="),
      "--",
      "arping",
      "-U",
      "-c",
      "1",
      "-I",
      "eth1",
      "192.168.0.1",
    ]);
    expectApplied(await h.apply("h2"));

    const ports = await h.ovsPorts("h1");
    const con1Port = ports.find((p) => p.name === h.hostIfname("ep-con1"));
    expect(con1Port?.tag).toBe(100);
    expect(ovsMap(con1Port?.external_ids)["switchyard-attachment"]).toBe("ep-con1");
    expect(ports.find((p) => p.name === h.hostIfname("ep-con2"))?.tag).toBe(200);
    expect(ovsSet(ports.find((p) => p.name === "eth1")?.trunks)).toEqual([100, 200]);

    const [c1, c2, c3, c4] = [con("con1"), con("con2"), con("con3"), con("con4")];
    // Right after another file's lab is torn down (the kernel still deleting its namespaces), the first
    // pings over this lab's userspace datapath took longer than five 2 s tries: allow fifteen.
    expect(await lab.pings(c1, "192.168.0.3", 15)).toBe(true);
    expect(await lab.pings(c3, "192.168.0.1", 15)).toBe(true);
    expect(await lab.pings(c2, "192.168.0.4", 15)).toBe(true);
    expect(await lab.pings(c4, "192.168.0.2", 15)).toBe(true);
    const cross = await Promise.all([
      lab.pings(c1, "192.168.0.4", 1),
      lab.pings(c1, "192.168.0.2", 1),
      lab.pings(c2, "192.168.0.3", 1),
      lab.pings(c3, "192.168.0.4", 1),
    ]);
    expect(cross).toEqual([false, false, false, false]);
  });

  it("a flat Linux bridge network across two hosts, with a Docker container and a default route", async () => {
    attachTo("h1", "dk1", "flat", "10.10.103.95", { setDefaultRoute: true });
    attachTo("h2", "con6", "flat", "10.10.103.96", { mac: "02:00:00:00:01:96" });
    expectApplied(await h.apply("h1"));
    expectApplied(await h.apply("h2"));
    const dk1 = con("dk1");
    expect(await lab.pings(dk1, "10.10.103.96")).toBe(true);
    expect(await lab.pings(con("con6"), "10.10.103.95")).toBe(true);
    const route = await lab.inContainer(dk1, ["ip", "route", "show", "default"]);
    expect(route.stdout).toContain("default via 10.10.103.254 dev eth1");
    const dk1Link = await lab.inContainer(dk1, ["ip", "-br", "link", "show", "eth1"]);
    expect(dk1Link.stdout).toContain(deriveMac("ep-dk1"));
    const con6Link = await lab.inContainer(con("con6"), ["ip", "-br", "link", "show", "eth1"]);
    expect(con6Link.stdout).toContain("02:00:00:00:01:96");
    const links = await h.hostLinks("h1");
    expect(links.find((l) => l.name === h.hostIfname("ep-dk1"))?.master).toBe("br0");
    expect(links.find((l) => l.name === "eth2")?.master).toBe("br0");
  });

  it("macvlan across two hosts", async () => {
    attachTo("h1", "con7", "mv", "10.20.0.7");
    attachTo("h2", "con8", "mv", "10.20.0.8");
    const r1 = await h.apply("h1");
    expectApplied(r1);
    expect(r1.results.find((r) => r.endpointId === "ep-con7")?.hostIfname).toBeNull();
    expectApplied(await h.apply("h2"));
    const inside = await lab.inContainer(con("con7"), ["ip", "-d", "link", "show", "eth1"]);
    expect(inside.stdout).toContain("macvlan mode bridge");
    expect(await lab.pings(con("con7"), "10.20.0.8")).toBe(true);
  });

  it("VXLAN across two hosts in different subnets", async () => {
    expect(lab.host("h1").underlay.address.split(".")[2]).not.toBe(
      lab.host("h2").underlay.address.split(".")[2],
    );
    attachTo("h1", "con9", "vx", "10.30.0.9");
    attachTo("h2", "con10", "vx", "10.30.0.10");
    expectApplied(await h.apply("h1"));
    expectApplied(await h.apply("h2"));
    const vx = (await h.hostLinks("h1")).find((l) => l.name === "vx42");
    expect(vx).toMatchObject({ kind: "vxlan", master: "brvx", mtu: 1450 });
    const fdb = await lab.hostExec("h1")(["bridge", "fdb", "show", "dev", "vx42"]);
    expect(fdb.stdout).toContain(`dst ${lab.host("h2").underlay.address}`);
    expect(await lab.pings(con("con9"), "10.30.0.10")).toBe(true);
    expect((await lab.inContainer(con("con9"), ["ip", "link", "show", "eth1"])).stdout).toContain("mtu 1450");
  });

  it("a third host joins the VXLAN: every host floods to both peers through FDB entries", async () => {
    expect(lab.host("h3").underlay.address.split(".")[2]).toBe(lab.host("h1").underlay.address.split(".")[2]);
    h.network("h1", vxNet("h1", ["h2", "h3"]));
    h.network("h2", vxNet("h2", ["h1", "h3"]));
    h.network("h3", vxNet("h3", ["h1", "h2"]));
    attachTo("h3", "con11", "vx", "10.30.0.11");
    for (const host of ["h1", "h2", "h3"]) expectApplied(await h.apply(host));
    const fdb = await lab.hostExec("h1")(["bridge", "fdb", "show", "dev", "vx42"]);
    for (const peer of ["h2", "h3"])
      expect(fdb.stdout).toContain(`00:00:00:00:00:00 dst ${lab.host(peer).underlay.address}`);
    expect(await lab.pings(con("con11"), "10.30.0.9")).toBe(true);
    expect(await lab.pings(con("con11"), "10.30.0.10")).toBe(true);
    expect(await lab.pings(con("con9"), "10.30.0.10")).toBe(true);
  });

  it("reconciling the same state again changes nothing", async () => {
    for (const host of ["h1", "h2"]) {
      const again = await h.apply(host);
      expectApplied(again);
      expect(again.events).toEqual([]);
      expect(h.lastMutations).toEqual([]);
    }
  });

  it("drift is repaired with an event: veth deleted, OVS tag changed, address removed", async () => {
    await lab.hostExec("h2")(["ip", "link", "del", h.hostIfname("ep-con3")]);
    await h.vsctl("h1", ["set", "port", h.hostIfname("ep-con1"), "tag=200"]);
    await lab.inContainer(con("con2"), ["ip", "addr", "flush", "dev", "eth1"]);
    const r2 = await h.apply("h2");
    expectApplied(r2);
    expect(messages(r2)).toContainEqual(expect.stringMatching(/veth sy[0-9a-f]{8}h missing, recreated/));
    const r1 = await h.apply("h1");
    expectApplied(r1);
    expect(messages(r1)).toContain("OVS tag 200 != 100, fixed");
    expect(messages(r1)).toContainEqual(expect.stringContaining("address 192.168.0.2/24 missing, added"));
    expect((await h.ovsPorts("h1")).find((p) => p.name === h.hostIfname("ep-con1"))?.tag).toBe(100);
    expect(await lab.pings(con("con1"), "192.168.0.3")).toBe(true);
    expect(await lab.pings(con("con2"), "192.168.0.4")).toBe(true);
    expect(await lab.pings(con("con1"), "192.168.0.4", 1)).toBe(false);
  });

  it("a restarted Docker container (new namespace, interface gone) gets its interface back", async () => {
    const socket = lab.state.docker?.socketPath as string;
    await lab.hostExec("h1")(["docker", "-H", `unix://${socket}`, "restart", "-t", "0", con("dk1").ref], {
      timeoutMs: 60_000,
    });
    const result = await h.apply("h1");
    expectApplied(result);
    // The old namespace is torn down asynchronously: the host end may already be gone or still waiting.
    const repaired = new RegExp(
      `^veth ${h.hostIfname("ep-dk1")} (missing|lost its container side), recreated$`,
    );
    expect(messages(result)).toContainEqual(expect.stringMatching(repaired));
    expect(await lab.pings(con("dk1"), "10.10.103.96")).toBe(true);
  });

  it("a failure half-way reports the command's error and leaves nothing half-made", async () => {
    // The gateway is not on the endpoint's subnet: the veth is made, moved, addressed, then the route fails.
    h.attach("h1", {
      id: "ep-bad",
      networkId: "flat",
      container: { runtime: "netns", ref: con("bad").ref },
      address: "10.50.0.5",
      setDefaultRoute: true,
    });
    h.attach("h1", {
      id: "ep-ghost",
      networkId: "vlan100",
      container: { runtime: "netns", ref: `${lab.prefix}-c-nosuch` },
      address: "192.168.0.50",
    });
    h.attach("h1", {
      id: "ep-noproc",
      networkId: "flat",
      container: { runtime: "docker", ref: `${lab.prefix}-nosuch` },
      address: "10.10.103.50",
    });
    const result = await h.apply("h1");
    const bad = result.results.find((r) => r.endpointId === "ep-bad");
    expect(bad).toMatchObject({ status: "failed", hostIfname: null });
    expect(bad?.error).toMatch(/ip -4 route replace default via 10\.10\.103\.254 dev eth1 exited 2: .+/);
    expect(result.results.find((r) => r.endpointId === "ep-ghost")).toMatchObject({
      status: "failed",
      error: expect.stringContaining("not found"),
    });
    expect(result.results.find((r) => r.endpointId === "ep-noproc")).toMatchObject({
      status: "failed",
      error: expect.stringContaining("not found"),
    });
    expect(result.results.filter((r) => r.status === "applied")).toHaveLength(5);
    for (const id of ["ep-bad", "ep-ghost", "ep-noproc"])
      expect(await h.ownedLinks("h1")).not.toContain(h.hostIfname(id));
    const inside = await lab.inContainer(con("bad"), ["ip", "-o", "link", "show"]);
    expect(inside.stdout).not.toContain("eth1");
    expect(
      (await h.ovsPorts("h1")).map((p) => ovsMap(p.external_ids)["switchyard-attachment"]),
    ).not.toContain("ep-ghost");
    for (const id of ["ep-bad", "ep-ghost", "ep-noproc"]) h.detach("h1", id);
    expect((await h.apply("h1")).events.filter((e) => e.kind !== "removed")).toEqual([]);
  });

  it("detach leaves no veth, OVS port or macvlan behind; re-attaching works", async () => {
    for (const id of ["con1", "dk1", "con7", "con9"]) h.detach("h1", `ep-${id}`);
    const result = await h.apply("h1");
    expectApplied(result);
    expect(result.events.filter((e) => e.kind === "removed").map((e) => e.endpointId)).toEqual(
      expect.arrayContaining(["ep-con1", "ep-dk1", "ep-con7", "ep-con9"]),
    );
    const owned = await h.ownedLinks("h1");
    expect(owned).toEqual([h.hostIfname("ep-con2")]);
    const attachments = (await h.ovsPorts("h1"))
      .map((p) => ovsMap(p.external_ids)["switchyard-attachment"])
      .filter(Boolean);
    expect(attachments).toEqual(["ep-con2"]);
    for (const name of ["con1", "dk1", "con7", "con9"]) {
      const links = await lab.inContainer(con(name), ["ip", "-o", "link", "show"]);
      expect(links.stdout, name).not.toContain("eth1");
    }
    attachTo("h1", "con1", "vlan100", "192.168.0.1");
    expectApplied(await h.apply("h1"));
    expect(await lab.pings(con("con1"), "192.168.0.3")).toBe(true);
  });

  it("with no endpoints and no networks left, the bridges and VXLAN device Switchyard made are removed", async () => {
    for (const host of ["h1", "h2", "h3"]) {
      h.clear(host);
      const result = await h.apply(host);
      expect(result.results).toEqual([]);
      expect(result.events.every((e) => e.kind === "removed")).toBe(true);
      expect(await h.ownedLinks(host)).toEqual([]);
      const names = (await h.hostLinks(host)).map((l) => l.name);
      for (const gone of ["br0", "brvx", "vx42"]) expect(names).not.toContain(gone);
      expect(names).toEqual(expect.arrayContaining(["eth1", "eth2", "eth3"]));
      expect((await h.vsctl(host, ["list-br"])).trim()).toBe("");
      expect((await h.hostLinks(host)).find((l) => l.name === "eth2")?.master).toBeNull();
    }
  });
});
