/**
 * Real host: builds, inside a per-run network namespace, a Linux bridge with veth ports, a private Open
 * vSwitch (userspace datapath) with an access port tagged 100, a named "container" namespace and a Docker
 * container from a private dockerd, then runs the inventory reader INSIDE that namespace (as a lab host's
 * agent runs) and checks what it reports. Root only; missing prerequisites fail, never skip.
 */
import { join } from "node:path";
import { type Inventory, type InventoryInterface, inventorySchema } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exec } from "../src/exec";
import { digestInventory } from "../src/inventory";
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
} from "../src/testkit";

const repoRoot = join(import.meta.dirname, "..", "..", "..");
const tsx = join(repoRoot, "node_modules", ".bin", "tsx");
const cli = join(repoRoot, "packages", "netops", "src", "inventory", "cli.ts");

const prefix = runPrefix("syi");
const cleanups: (() => Promise<void>)[] = [];
let host: NetnsHandle;
let ovs: PrivateOvs;
let dockerd: PrivateDockerd;
let containerPid = 0;
let inventory: Inventory;
const dockerName = `${prefix}-d1`;
const conNs = `${prefix}-c1`;

function iface(name: string): InventoryInterface {
  const found = inventory.interfaces.find((i) => i.name === name);
  if (!found)
    throw new Error(
      `inventory has no interface ${name}: ${inventory.interfaces.map((i) => i.name).join(", ")}`,
    );
  return found;
}

beforeAll(async () => {
  await requirePrerequisites({
    root: true,
    programs: {
      ip: "iproute2",
      nsenter: "util-linux",
      "ovs-vsctl": "openvswitch-switch",
      "ovsdb-tool": "openvswitch-switch",
      "ovsdb-server": "openvswitch-switch",
      "ovs-vswitchd": "openvswitch-switch",
      dockerd: "docker.io",
      docker: "docker.io",
      tar: "tar",
    },
  });

  host = await createNetns(`${prefix}-host`);
  cleanups.push(() => host.remove());
  const con = await createNetns(conNs);
  cleanups.push(() => con.remove());
  const run = (argv: string[]) => host.run(argv);

  // Linux bridge br0 with a veth port vp0 (peer vp1).
  await run(["ip", "link", "add", "br0", "type", "bridge"]);
  await run(["ip", "link", "set", "br0", "up"]);
  await run(["ip", "link", "add", "vp0", "type", "veth", "peer", "name", "vp1"]);
  await run(["ip", "link", "set", "vp0", "master", "br0"]);
  await run(["ip", "link", "set", "vp0", "up"]);
  await run(["ip", "link", "set", "vp1", "up"]);

  // A named-netns container on br0: vc0 on the host side, eth0 10.77.0.5/24 inside.
  await run(["ip", "link", "add", "vc0", "type", "veth", "peer", "name", "eth0", "netns", conNs]);
  await run(["ip", "link", "set", "vc0", "master", "br0"]);
  await run(["ip", "link", "set", "vc0", "up"]);
  await con.run(["ip", "addr", "add", "10.77.0.5/24", "dev", "eth0"]);
  await con.run(["ip", "link", "set", "eth0", "up"]);

  // Open vSwitch with an access port vo0 tagged 100.
  ovs = await startPrivateOvs({ netns: host.name });
  cleanups.push(() => ovs.stop());
  await ovs.vsctl(["add-br", "ovs0", "--", "set", "bridge", "ovs0", "datapath_type=netdev"]);
  await run(["ip", "link", "add", "vo0", "type", "veth", "peer", "name", "vo1"]);
  await run(["ip", "link", "set", "vo0", "up"]);
  await run(["ip", "link", "set", "vo1", "up"]);
  await ovs.vsctl(["add-port", "ovs0", "vo0", "tag=100"]);

  // A Docker container (network none) given a veth end: vd0 on br0, eth0 10.77.0.9/24 inside.
  dockerd = await startPrivateDockerd({ name: prefix, netns: host.name });
  cleanups.push(() => dockerd.stop());
  const image = await buildBusyboxImage({ docker: dockerd.docker, tag: `${prefix}box:1` });
  await dockerd.docker(["run", "-d", "--network", "none", "--name", dockerName, image, "sleep", "100000"]);
  containerPid = await dockerd.containerPid(dockerName);
  await run(["ip", "link", "add", "vd0", "type", "veth", "peer", "name", "vd1"]);
  await run(["ip", "link", "set", "vd0", "master", "br0"]);
  await run(["ip", "link", "set", "vd0", "up"]);
  await run(["ip", "link", "set", "vd1", "netns", String(containerPid)]);
  const inContainer = (argv: string[]) => exec(["nsenter", `--net=/proc/${containerPid}/ns/net`, ...argv]);
  await inContainer(["ip", "link", "set", "vd1", "name", "eth0"]);
  await inContainer(["ip", "addr", "add", "10.77.0.9/24", "dev", "eth0"]);
  await inContainer(["ip", "link", "set", "eth0", "up"]);

  inventory = await readInsideHost();
});

/** The reader runs as a separate process inside the host namespace, as a lab host's agent would. */
async function readInsideHost(): Promise<Inventory> {
  const { stdout } = await host.run(
    [
      tsx,
      cli,
      "--hostname",
      `${prefix}-host`,
      "--ovs-db",
      ovs.db,
      "--docker-socket",
      dockerd.socketPath,
      "--netns-prefix",
      prefix,
    ],
    { timeoutMs: 60_000 },
  );
  return inventorySchema.parse(JSON.parse(stdout));
}

afterAll(async () => {
  const errors: unknown[] = [];
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (error) {
      errors.push(error);
    }
  }
  if (errors.length > 0) throw new AggregateError(errors, `cleanup of ${prefix} failed`);
});

describe("inventory of a real host namespace", () => {
  it("reports the hostname and a schema-valid inventory", () => {
    expect(inventory.hostname).toBe(`${prefix}-host`);
  });

  it("sees the Linux bridge and its ports", () => {
    expect(inventory.bridges).toEqual([{ name: "br0", ports: ["vc0", "vd0", "vp0"] }]);
    expect(iface("br0").kind).toBe("bridge");
    expect(iface("vp0")).toMatchObject({ kind: "veth", master: "br0", operState: "UP" });
  });

  it("links each veth to its peer", () => {
    expect(iface("vp0").peerIndex).toBe(iface("vp1").index);
    expect(iface("vp1").peerIndex).toBe(iface("vp0").index);
  });

  it("sees the OVS bridge and the access port with tag 100", () => {
    expect(inventory.ovs.available).toBe(true);
    expect(inventory.ovs.error).toBeNull();
    const bridge = inventory.ovs.bridges.find((b) => b.name === "ovs0");
    expect(bridge?.datapathType).toBe("netdev");
    expect(bridge?.ports.find((p) => p.name === "vo0")).toEqual({
      name: "vo0",
      tag: 100,
      trunks: [],
      interfaceType: "",
      externalIds: {},
    });
  });

  it("lists the named namespace as a netns container, but not the namespace the reader runs in", () => {
    expect(inventory.namespaces).toEqual([conNs]);
    const con = inventory.containers.find((c) => c.runtime === "netns" && c.name === conNs);
    expect(con?.interfaces).toEqual([
      expect.objectContaining({
        name: "eth0",
        kind: "veth",
        peerIndex: iface("vc0").index,
        addresses: expect.arrayContaining([{ family: "inet", address: "10.77.0.5", prefixLength: 24 }]),
      }),
    ]);
    expect(iface("vc0").peerIndex).toBe(con?.interfaces[0]?.index);
  });

  it("sees the Docker container with its interface, address and host-side peer", () => {
    expect(inventory.docker).toEqual({ available: true, error: null });
    const container = inventory.containers.find((c) => c.runtime === "docker" && c.name === dockerName);
    expect(container).toMatchObject({ state: "running", pid: containerPid });
    expect(container?.id).toMatch(/^[0-9a-f]{64}$/);
    expect(container?.interfaces).toEqual([
      expect.objectContaining({
        name: "eth0",
        kind: "veth",
        peerIndex: iface("vd0").index,
        addresses: expect.arrayContaining([{ family: "inet", address: "10.77.0.9", prefixLength: 24 }]),
      }),
    ]);
  });

  it("reads the same digest again while nothing changes, and another one after a change", async () => {
    const again = await readInsideHost();
    expect(again.collectedAt).not.toBe(inventory.collectedAt);
    expect(digestInventory(again)).toBe(digestInventory(inventory));
    await host.run(["ip", "link", "set", "vp1", "down"]);
    expect(digestInventory(await readInsideHost())).not.toBe(digestInventory(inventory));
  });
});
