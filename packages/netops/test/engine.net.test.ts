/**
 * The host engine (Reconciler) on a real lab: two hosts, each a namespace with a private OVS on the
 * userspace datapath, one private dockerd, Docker containers as the source document makes them
 * (`docker run --network none`, then attach). Every command the engine runs is recorded, so "a push
 * touches only the changed endpoint" is checked on the commands themselves; pings and
 * `ovs-vsctl --format=json list port` are the oracle. Root only; missing prerequisites fail, never skip.
 */
import { createLab, type Lab, type LabContainerState, labPrefix } from "@switchyard/lab";
import type { DesiredNetwork, DesiredStateInput, DesiredStateResult } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DockerClient } from "../src/docker";
import { hostIfname } from "../src/drivers";
import type { Exec } from "../src/exec";
import { ovsMap, parseOvsTable } from "../src/inventory/ovs";
import { Reconciler } from "../src/reconcile";
import { requirePrerequisites } from "../src/testkit";

let lab: Lab;
const engines: Record<string, Reconciler> = {};
const commands: Record<string, string[]> = { h1: [], h2: [] };
const c: Record<string, LabContainerState> = {};
const paths: Record<string, string> = {};
let serial = 0;
const endpoints: Record<string, DesiredStateInput["endpoints"]> = { h1: [], h2: [] };

const vlan = (tag: number): DesiredNetwork => ({
  id: `vlan${tag}`,
  name: `vlan${tag}`,
  driver: "ovs",
  bridgeName: "ovs0",
  uplink: "eth1",
  vlan: tag,
  prefixLength: 24,
});

const attach = (host: string, name: string, tag: number, address: string) => {
  const con = c[name] as LabContainerState;
  endpoints[host]?.push({
    id: `ep-${name}`,
    networkId: `vlan${tag}`,
    container: { runtime: con.runtime, ref: con.ref },
    address,
  });
};
const detach = (host: string, name: string) => {
  endpoints[host] = (endpoints[host] ?? []).filter((e) => e.id !== `ep-${name}`);
};

async function push(host: string): Promise<DesiredStateResult> {
  commands[host] = [];
  const result = await (engines[host] as Reconciler).apply({
    serial: ++serial,
    networks: [vlan(100), vlan(200)],
    endpoints: endpoints[host] ?? [],
  });
  if (!result) throw new Error("superseded");
  return result;
}

/** Commands that concern a container: run in its namespace, or naming its host-side veth. */
const touching = (host: string, name: string) =>
  (commands[host] ?? []).filter(
    (line) => line.includes(paths[name] as string) || line.includes(hostIfname(`ep-${name}`)),
  );

const expectApplied = (r: DesiredStateResult) => {
  for (const x of r.results) expect(x, JSON.stringify(x)).toMatchObject({ status: "applied", error: null });
};

async function ovsPorts(host: string) {
  const db = lab.host(host).ovs?.db as string;
  const out = await lab.hostExec(host)([
    "ovs-vsctl",
    `--db=${db}`,
    "--format=json",
    "--columns=name,tag,external_ids",
    "list",
    "port",
  ]);
  return parseOvsTable(JSON.parse(out.stdout)) as { name: string; tag: unknown; external_ids: unknown }[];
}

beforeAll(async () => {
  await requirePrerequisites({
    root: true,
    programs: {
      ip: "iproute2",
      nsenter: "util-linux",
      ping: "iputils-ping",
      arping: "iputils-arping",
      "ovs-vsctl": "openvswitch-switch",
      "ovs-vswitchd": "openvswitch-switch",
      dockerd: "docker.io",
      docker: "docker.io",
    },
  });
  lab = await createLab({ hosts: 2, prefix: labPrefix(), docker: true });
  const socket = lab.state.docker?.socketPath as string;
  for (const host of ["h1", "h2"]) {
    const inner = lab.hostExec(host);
    const recording: Exec = (argv, options) => {
      commands[host]?.push(argv.join(" "));
      return inner(argv, options);
    };
    engines[host] = new Reconciler({
      exec: recording,
      docker: new DockerClient(socket),
      deferGarp: true,
      options: { datapathType: "netdev", ovsDb: lab.host(host).ovs?.db, garpCount: 1 },
    });
  }
  for (const [host, names] of [
    ["h1", ["con1", "con2", "con5"]],
    ["h2", ["con3", "con4"]],
  ] as const) {
    for (const name of names) {
      c[name] = await lab.addDockerContainer(host, name);
      paths[name] = await lab.netnsPath(c[name] as LabContainerState);
    }
  }
}, 180_000);

afterAll(async () => {
  await lab?.down();
}, 120_000);

describe("the host engine on Docker containers", () => {
  it("the source document's VLAN scenario: same VLAN pings across hosts, nothing crosses VLANs", async () => {
    attach("h1", "con1", 100, "192.168.0.1");
    attach("h1", "con2", 200, "192.168.0.2");
    attach("h2", "con3", 100, "192.168.0.3");
    attach("h2", "con4", 200, "192.168.0.4");
    expectApplied(await push("h1"));
    expectApplied(await push("h2"));
    engines.h1?.runDeferred();
    engines.h2?.runDeferred();
    const ports = await ovsPorts("h1");
    expect(ports.find((p) => p.name === hostIfname("ep-con1"))?.tag).toBe(100);
    expect(ports.find((p) => p.name === hostIfname("ep-con2"))?.tag).toBe(200);
    const [c1, c2, c3, c4] = ["con1", "con2", "con3", "con4"].map((n) => c[n] as LabContainerState);
    expect(await lab.pings(c1 as LabContainerState, "192.168.0.3")).toBe(true);
    expect(await lab.pings(c2 as LabContainerState, "192.168.0.4")).toBe(true);
    expect(await lab.pings(c4 as LabContainerState, "192.168.0.2")).toBe(true);
    const cross = await Promise.all([
      lab.pings(c1 as LabContainerState, "192.168.0.4", 1),
      lab.pings(c3 as LabContainerState, "192.168.0.2", 1),
    ]);
    expect(cross).toEqual([false, false]);
  });

  it("a push touches only the changed endpoint: no command runs against an unchanged container", async () => {
    attach("h1", "con5", 100, "192.168.0.5");
    const result = await push("h1");
    expectApplied(result);
    expect(result.results.map((r) => r.endpointId).sort()).toEqual(["ep-con1", "ep-con2", "ep-con5"]);
    expect(touching("h1", "con5").length).toBeGreaterThan(0);
    expect(touching("h1", "con1")).toEqual([]);
    expect(touching("h1", "con2")).toEqual([]);
    // nor a read of the whole OVS database or of the networks
    expect(commands.h1?.filter((l) => /ovs-vsctl.* list /.test(l))).toEqual([]);
    engines.h1?.runDeferred();
    expect(await lab.pings(c.con5 as LabContainerState, "192.168.0.3")).toBe(true);

    // the same state again: nothing at all
    await push("h1");
    expect(commands.h1).toEqual([]);
  });

  it("drift is not repaired by a push but by the verification, with an event", async () => {
    await lab.hostExec("h1")(["ip", "link", "del", hostIfname("ep-con1")]);
    await push("h1");
    expect(touching("h1", "con1")).toEqual([]);
    commands.h1 = [];
    const verified = await engines.h1?.verify();
    expect(verified?.events.map((e) => e.message)).toContainEqual(
      expect.stringMatching(/veth sy[0-9a-f]{8}h (missing|lost its container side), recreated/),
    );
    expect(touching("h1", "con2").length).toBeGreaterThan(0);
    engines.h1?.runDeferred();
    expect(await lab.pings(c.con1 as LabContainerState, "192.168.0.3")).toBe(true);
  });

  it("a detach removes only that endpoint, and leaves no veth or OVS port behind", async () => {
    detach("h1", "con2");
    const result = await push("h1");
    expect(result.events).toContainEqual(expect.objectContaining({ kind: "removed", endpointId: "ep-con2" }));
    expect(touching("h1", "con1")).toEqual([]);
    expect(touching("h1", "con5")).toEqual([]);
    const ports = (await ovsPorts("h1")).map((p) => ovsMap(p.external_ids)["switchyard-attachment"]);
    expect(ports.filter(Boolean).sort()).toEqual(["ep-con1", "ep-con5"]);
    const inside = await lab.inContainer(c.con2 as LabContainerState, ["ip", "-o", "link", "show"]);
    expect(inside.stdout).not.toContain("eth1");
    expect(await lab.pings(c.con1 as LabContainerState, "192.168.0.3")).toBe(true);
  });
});
