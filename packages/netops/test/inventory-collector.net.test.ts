/**
 * The event-fed inventory (InventoryCollector) on a real host namespace with a private OVS and dockerd:
 * it reports what the one-off reader reports (ovs-vsctl as the OVS oracle), and after the first pass
 * reads a container namespace only when it appears or changes. Root only; missing prerequisites fail.
 */
import type { Inventory } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Exec, exec } from "../src/exec";
import { digestInventory, InventoryCollector, readInventory } from "../src/inventory";
import {
  buildBusyboxImage,
  createNetns,
  type NetnsHandle,
  type PrivateDockerd,
  type PrivateOvs,
  requirePrerequisites,
  runPrefix,
  startPrivateDockerd,
  startPrivateOvs,
  waitFor,
} from "../src/testkit";

const prefix = runPrefix("syk");
const cleanups: (() => Promise<void>)[] = [];
let host: NetnsHandle;
let ovs: PrivateOvs;
let dockerd: PrivateDockerd;
let image: string;
let inHost: Exec;
let collector: InventoryCollector;
let changes = 0;
let clock = Date.parse("2026-01-01T00:00:00Z");

const options = () => ({
  hostname: "k1",
  ovsDb: ovs.db,
  dockerSocket: dockerd.socketPath,
  netnsPrefix: prefix,
  exec: inHost,
  hostNetnsPath: `/run/netns/${host.name}`,
});

/** The one-off reader, with ovs-vsctl for OVS: what the collector must agree with. */
const oracle = (): Promise<Inventory> => readInventory({ ...options(), ovsVia: "vsctl" });

beforeAll(async () => {
  await requirePrerequisites({
    root: true,
    programs: {
      ip: "iproute2",
      nsenter: "util-linux",
      "ovs-vsctl": "openvswitch-switch",
      "ovsdb-server": "openvswitch-switch",
      "ovs-vswitchd": "openvswitch-switch",
      dockerd: "docker.io",
      docker: "docker.io",
      tar: "tar",
    },
  });
  host = await createNetns(`${prefix}-host`);
  cleanups.push(() => host.remove());
  inHost = (argv, opts) => exec(argv, { ...opts, netns: host.name });
  const con = await createNetns(`${prefix}-c1`);
  cleanups.push(() => con.remove());
  await host.run(["ip", "link", "add", "vc0", "type", "veth", "peer", "name", "eth0", "netns", con.name]);
  await con.run(["ip", "addr", "add", "10.78.0.5/24", "dev", "eth0"]);
  ovs = await startPrivateOvs({ netns: host.name });
  cleanups.push(() => ovs.stop());
  await ovs.vsctl(["add-br", "ovs0", "--", "set", "bridge", "ovs0", "datapath_type=netdev"]);
  dockerd = await startPrivateDockerd({ name: prefix, netns: host.name });
  cleanups.push(() => dockerd.stop());
  image = await buildBusyboxImage({ docker: dockerd.docker, tag: `${prefix}box:1` });
  await dockerd.docker(["run", "-d", "--network", "none", "--name", `${prefix}d1`, image, "sleep", "100000"]);
  collector = new InventoryCollector({
    ...options(),
    hostEvents: true,
    onChange: () => changes++,
    now: () => new Date(clock),
  });
  cleanups.push(async () => collector.stop());
  await collector.start();
}, 180_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => console.error(e));
}, 60_000);

const same = async () => {
  const [got, want] = [await collector.collect(), await oracle()];
  expect({ ...got, collectedAt: "" }).toEqual({ ...want, collectedAt: "" });
  expect(digestInventory(got)).toBe(digestInventory(want));
  return got;
};

describe("InventoryCollector", () => {
  it("first pass: the same inventory as the one-off reader", async () => {
    const inv = await same();
    expect(inv.containers.map((c) => c.name).sort()).toEqual([`${prefix}-c1`, `${prefix}d1`]);
    expect(inv.ovs.bridges.map((b) => b.name)).toEqual(["ovs0"]);
    expect(collector.counters.namespaceReads).toBe(2);
  });

  it("nothing changed: nothing read again", async () => {
    const before = { ...collector.counters };
    await same();
    expect(collector.counters).toEqual(before);
  });

  it("an OVS change arrives through the monitor, without reading any namespace", async () => {
    const before = { ...collector.counters };
    const seen = changes;
    await host.run(["ip", "link", "add", "vo0", "type", "veth", "peer", "name", "vo1"]);
    collector.hostChanged();
    await ovs.vsctl(["add-port", "ovs0", "vo0", "tag=300"]);
    await waitFor("the monitor's change", 5_000, async () => changes > seen);
    const inv = await same();
    expect(inv.ovs.bridges[0]?.ports.find((p) => p.name === "vo0")?.tag).toBe(300);
    expect(collector.counters.namespaceReads).toBe(before.namespaceReads);
  });

  it("a new Docker container is read when its events arrive, then not again; a veth moved into it is seen after the host's link event", async () => {
    await dockerd.docker([
      "run",
      "-d",
      "--network",
      "none",
      "--name",
      `${prefix}d2`,
      image,
      "sleep",
      "100000",
    ]);
    const pid = await dockerd.containerPid(`${prefix}d2`);
    // Its create and start events may come one at a time: wait for the running container.
    await waitFor("the Docker events", 10_000, async () =>
      (await collector.collect()).containers.some((c) => c.name === `${prefix}d2` && c.pid === pid),
    );
    await same();
    const reads = collector.counters.namespaceReads;
    await same();
    expect(collector.counters.namespaceReads).toBe(reads);
    await host.run(["ip", "link", "add", "vd0", "type", "veth", "peer", "name", "vd1", "netns", String(pid)]);
    collector.hostChanged();
    const inv = await same();
    const d2 = inv.containers.find((c) => c.name === `${prefix}d2`);
    expect(d2?.interfaces.map((i) => i.name)).toEqual(["vd1"]);
  });

  it("a veth into a namespace the engine named reads that namespace only, not every untied one", async () => {
    // Five namespaces without interfaces: nothing ties them to a netnsid the host can see.
    const quiet = [];
    for (let i = 0; i < 5; i++) {
      const ns = await createNetns(`${prefix}-u${i}`);
      cleanups.push(() => ns.remove());
      quiet.push(ns);
    }
    await same();
    const target = quiet[2]?.name ?? "";
    const reads = collector.counters.namespaceReads;
    await host.run(["ip", "link", "add", "vu0", "type", "veth", "peer", "name", "eth0", "netns", target]);
    collector.hostChanged();
    collector.containersChanged([target]);
    const inv = await same();
    expect(inv.containers.find((c) => c.name === target)?.interfaces.map((i) => i.name)).toEqual(["eth0"]);
    expect(collector.counters.namespaceReads).toBe(reads + 1);

    // Nobody named the namespace: the untied ones are read again (the fallback), and the veth is seen.
    const other = quiet[4]?.name ?? "";
    const before = collector.counters.namespaceReads;
    await host.run(["ip", "link", "add", "vu1", "type", "veth", "peer", "name", "eth0", "netns", other]);
    collector.hostChanged();
    const again = await same();
    expect(again.containers.find((c) => c.name === other)?.interfaces.map((i) => i.name)).toEqual(["eth0"]);
    expect(collector.counters.namespaceReads).toBeGreaterThan(before + 1);
  });

  it("the engine's word (containersChanged) and the slow resync re-read namespaces", async () => {
    const con = `${prefix}-c1`;
    await exec(["ip", "-n", con, "addr", "add", "10.78.0.6/24", "dev", "eth0"]);
    // Behind its back: not seen until told.
    const stale = await collector.collect();
    expect(stale.containers.find((c) => c.name === con)?.interfaces[0]?.addresses).toHaveLength(1);
    collector.containersChanged([con]);
    await same();
    const before = collector.counters;
    const reads = before.namespaceReads;
    clock += 61_000;
    const inv = await same();
    expect(collector.counters.resyncs).toBe(2);
    // The resync reads every container's namespace once.
    expect(collector.counters.namespaceReads).toBe(reads + inv.containers.length);
  });
});
