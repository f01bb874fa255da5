import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

/** Everything a lab created, written after every step so `down` can remove it even after a failed `up`. */

export interface LabUnderlay {
  ifname: string;
  address: string;
  prefixLength: number;
  gateway: string | null;
}

export interface LabHostState {
  /** Short name: h1, h2, ... */
  name: string;
  /** Network namespace the host lives in (the agent runs under `ip netns exec NETNS`). */
  netns: string;
  ovs: { dir: string; db: string; ovsdbPid: number; vswitchdPid: number } | null;
  underlay: LabUnderlay;
  /** Uplinks by purpose, each a veth into the switch: OVS trunk, Linux bridge port, macvlan parent. */
  uplinks: { ovs: string; bridge: string; macvlan: string };
  agentPid: number | null;
}

export interface LabContainerState {
  name: string;
  host: string;
  runtime: "netns" | "docker";
  /** Namespace name (netns) or container name (docker). */
  ref: string;
}

export interface LabState {
  prefix: string;
  dir: string;
  createdAt: string;
  routed: boolean;
  /** Every named namespace the lab made (switch, router, hosts, containers). */
  namespaces: string[];
  switchNetns: string;
  routerNetns: string | null;
  hosts: LabHostState[];
  docker: { dir: string; socketPath: string; pid: number; image: string | null } | null;
  containers: LabContainerState[];
  /** Other processes the lab started (agents, ...), ended by PID on down. */
  pids: number[];
}

export const labDir = (prefix: string): string => join("/tmp", `switchyard-lab-${prefix}`);
export const statePath = (prefix: string): string => join(labDir(prefix), "state.json");

export async function saveState(state: LabState): Promise<void> {
  await mkdir(state.dir, { recursive: true });
  const path = statePath(state.prefix);
  await writeFile(`${path}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
}

export async function loadState(prefix: string): Promise<LabState | null> {
  try {
    return JSON.parse(await readFile(statePath(prefix), "utf8")) as LabState;
  } catch {
    return null;
  }
}
