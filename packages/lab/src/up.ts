import { join } from "node:path";
import { type Exec, exec as realExec } from "@switchyard/netops";
import * as testkit from "@switchyard/netops/testkit";
import { addNetns, bridgeIn, enslave, vethBetween } from "./links";
import { hostNetns, labPrefix, PREFIX_PATTERN, routerNetns, switchNetns, underlayOf } from "./names";
import { type LabHostState, type LabState, labDir, loadState, saveState } from "./state";

export interface LabUpOptions {
  hosts: number;
  prefix?: string;
  /** Put the hosts' underlay in two subnets behind a router namespace (for VXLAN). */
  routed?: boolean;
  /** Start a private dockerd and build a busybox image (`testbox:1`) offline. */
  docker?: boolean;
  exec?: Exec;
  log?: (line: string) => void;
}

/** Switch bridges (in the switch namespace), one per uplink purpose so the L2 segments stay apart. */
export const SWITCH_BRIDGES = { ovs: "trunk", bridge: "flat", macvlan: "mv", underlay: "ul" } as const;
export const LAB_IMAGE = "testbox:1";

async function buildSwitch(state: LabState, exec: Exec): Promise<void> {
  await addNetns(state.switchNetns, exec);
  state.namespaces.push(state.switchNetns);
  await saveState(state);
  for (const br of Object.values(SWITCH_BRIDGES)) await bridgeIn(state.switchNetns, br, exec);
}

async function buildRouter(state: LabState, exec: Exec): Promise<void> {
  const rt = state.routerNetns as string;
  await addNetns(rt, exec);
  state.namespaces.push(rt);
  await saveState(state);
  await exec(["ip", "netns", "exec", rt, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"]);
  for (const subnet of [1, 2]) {
    await bridgeIn(rt, `ul${subnet}`, exec);
    await exec(["ip", "-n", rt, "addr", "add", `10.99.${subnet}.1/24`, "dev", `ul${subnet}`]);
  }
}

async function buildHost(state: LabState, index: number, exec: Exec): Promise<void> {
  const name = `h${index}`;
  const netns = hostNetns(state.prefix, name);
  const u = underlayOf(index, state.routed);
  const host: LabHostState = {
    name,
    netns,
    ovs: null,
    underlay: { ifname: "eth0", address: u.address, prefixLength: u.prefixLength, gateway: u.gateway },
    uplinks: { ovs: "eth1", bridge: "eth2", macvlan: "eth3" },
    agentPid: null,
  };
  await addNetns(netns, exec);
  state.namespaces.push(netns);
  state.hosts.push(host);
  await saveState(state);
  const sw = state.switchNetns;
  const underlayNs = state.routed ? (state.routerNetns as string) : sw;
  await vethBetween({ netns, name: "eth0" }, { netns: underlayNs, name: `u${index}` }, exec);
  await enslave(underlayNs, `u${index}`, state.routed ? `ul${u.subnet}` : SWITCH_BRIDGES.underlay, exec);
  await exec(["ip", "-n", netns, "addr", "add", `${u.address}/${u.prefixLength}`, "dev", "eth0"]);
  if (u.gateway) await exec(["ip", "-n", netns, "route", "add", "default", "via", u.gateway]);
  const uplinks: [string, string, string][] = [
    ["eth1", `t${index}`, SWITCH_BRIDGES.ovs],
    ["eth2", `f${index}`, SWITCH_BRIDGES.bridge],
    ["eth3", `m${index}`, SWITCH_BRIDGES.macvlan],
  ];
  for (const [hostEnd, swEnd, bridge] of uplinks) {
    await vethBetween({ netns, name: hostEnd }, { netns: sw, name: swEnd }, exec);
    await enslave(sw, swEnd, bridge, exec);
  }
  const ovs = await testkit.startPrivateOvs({ netns, dir: join(state.dir, name, "ovs"), exec });
  host.ovs = { dir: ovs.dir, db: ovs.db, ovsdbPid: ovs.ovsdbPid, vswitchdPid: ovs.vswitchdPid };
  await saveState(state);
}

async function buildDocker(state: LabState, exec: Exec): Promise<void> {
  const dockerd = await testkit.startPrivateDockerd({
    name: state.prefix,
    dir: join(state.dir, "docker"),
    exec,
  });
  state.docker = { dir: dockerd.dir, socketPath: dockerd.socketPath, pid: dockerd.pid, image: null };
  await saveState(state);
  await testkit.buildBusyboxImage({ docker: dockerd.docker, tag: LAB_IMAGE, exec });
  state.docker.image = LAB_IMAGE;
  await saveState(state);
}

/**
 * Builds the lab: a switch namespace whose Linux bridges carry (tagged) frames between hosts like trunk
 * ports, N host namespaces each with a private OVS (userspace datapath) and uplinks eth1 (OVS trunk),
 * eth2 (Linux bridge port), eth3 (macvlan parent), eth0 (underlay, flat or routed), optionally a private
 * dockerd. On failure, removes what it made and rethrows.
 */
export async function buildLab(
  options: LabUpOptions,
  teardown: (prefix: string) => Promise<unknown>,
): Promise<LabState> {
  const exec = options.exec ?? realExec;
  const log = options.log ?? (() => {});
  const prefix = options.prefix ?? labPrefix();
  if (!PREFIX_PATTERN.test(prefix)) throw new Error(`prefix must match ${PREFIX_PATTERN} (got ${prefix})`);
  if (!Number.isInteger(options.hosts) || options.hosts < 1 || options.hosts > 50)
    throw new Error("hosts must be 1..50");
  if (await loadState(prefix))
    throw new Error(`lab ${prefix} already exists (npm run lab -- down --prefix ${prefix})`);
  const routed = options.routed ?? false;
  const state: LabState = {
    prefix,
    dir: labDir(prefix),
    createdAt: new Date().toISOString(),
    routed,
    namespaces: [],
    switchNetns: switchNetns(prefix),
    routerNetns: routed ? routerNetns(prefix) : null,
    hosts: [],
    docker: null,
    containers: [],
    pids: [],
  };
  try {
    await saveState(state);
    await buildSwitch(state, exec);
    if (routed) await buildRouter(state, exec);
    for (let i = 1; i <= options.hosts; i++) {
      await buildHost(state, i, exec);
      log(
        `host h${i}: netns ${hostNetns(prefix, `h${i}`)}, underlay ${state.hosts[i - 1]?.underlay.address}`,
      );
    }
    if (options.docker) {
      await buildDocker(state, exec);
      log(`dockerd pid ${state.docker?.pid}, socket ${state.docker?.socketPath}, image ${LAB_IMAGE}`);
    }
    return state;
  } catch (error) {
    await teardown(prefix).catch(() => {});
    throw error;
  }
}
