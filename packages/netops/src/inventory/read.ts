import { stat } from "node:fs/promises";
import type { Container, Inventory, OvsBridge } from "@switchyard/protocol";
import { DockerClient, type DockerContainerInspect, type DockerContainerSummary } from "../docker";
import { type Exec, ExecError, exec as realExec } from "../exec";
import { Vswitch } from "../ovsdb/vswitch";
import { normalizeInventory } from "./digest";
import {
  containerInterfaces,
  hostInterfaces,
  linuxBridges,
  parseIpAddrs,
  parseIpLinks,
  parseNetnsList,
} from "./ip";
import { OVS_LIST_ARGS, parseOvsList } from "./ovs";

export const DEFAULT_OVS_DB = "unix:/var/run/openvswitch/db.sock";
export const DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";
export const DEFAULT_NETNS_DIR = "/run/netns";

/** The part of DockerClient the inventory uses (tests may pass a fake). */
export type DockerReader = Pick<DockerClient, "listContainers" | "inspect">;

export interface InventoryReaderOptions {
  hostname: string;
  /** OVSDB remote, e.g. `unix:/var/run/openvswitch/db.sock` (as `ovs-vsctl --db=` takes it). */
  ovsDb?: string;
  /**
   * "ovsdb" (default): ask the database directly (one select transaction, a few ms); "vsctl": run
   * `ovs-vsctl --format=json list ...` (a process, 90-185 ms). Remotes other than unix:/tcp: use ovs-vsctl.
   */
  ovsVia?: "ovsdb" | "vsctl";
  /** Docker daemon's unix socket. */
  dockerSocket?: string;
  /** Only named namespaces whose name starts with this are reported (null/undefined: all). */
  netnsPrefix?: string | null;
  /** Where `ip netns` keeps its namespaces (used to recognise the namespace the reader itself runs in). */
  netnsDir?: string;
  /**
   * The namespace file of the host being read, left out of the reported named namespaces. Default
   * `/proc/self/ns/net` (the reader's own); an `exec` that runs commands in another namespace (an agent
   * with `--netns NAME`) passes that namespace's file (`/run/netns/NAME`).
   */
  hostNetnsPath?: string;
  exec?: Exec;
  /** Replaces the DockerClient built from `dockerSocket` (tests). */
  docker?: DockerReader;
  /** Timeout of each command. */
  timeoutMs?: number;
  now?: () => Date;
  /** Non-fatal problems (a container that vanished while being read, ...). */
  onWarning?: (message: string, fields?: Record<string, unknown>) => void;
}

const DEFAULT_TIMEOUT_MS = 10_000;

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isMissingProgram(error: unknown): boolean {
  return (
    error instanceof ExecError && error.exitCode === null && !error.timedOut && /ENOENT/.test(error.stderr)
  );
}

export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Runs `fn` over `items` with at most `limit` at a time, keeping order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Interfaces (with addresses) of the namespace the reader runs in, and its Linux bridges. */
export async function readHostInterfaces(exec: Exec, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const [link, addr] = await Promise.all([
    exec(["ip", "-j", "-d", "link", "show"], { timeoutMs }),
    exec(["ip", "-j", "addr", "show"], { timeoutMs }),
  ]);
  const interfaces = hostInterfaces(parseIpLinks(link.stdout), parseIpAddrs(addr.stdout));
  return { interfaces, bridges: linuxBridges(interfaces) };
}

/** Open vSwitch bridges and ports; `available: false` with the reason when OVS cannot be asked. */
export async function readOvs(
  exec: Exec,
  ovsDb: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<{ available: boolean; error: string | null; bridges: OvsBridge[] }> {
  if (ovsDb.startsWith("unix:") && !(await pathExists(ovsDb.slice("unix:".length)))) {
    return {
      available: false,
      error: `OVS database socket ${ovsDb.slice("unix:".length)} not found`,
      bridges: [],
    };
  }
  try {
    const seconds = Math.max(1, Math.ceil(timeoutMs / 2000));
    const { stdout } = await exec(
      ["ovs-vsctl", `--db=${ovsDb}`, `--timeout=${seconds}`, "--format=json", ...OVS_LIST_ARGS],
      { timeoutMs },
    );
    return { available: true, error: null, bridges: parseOvsList(stdout) };
  } catch (error) {
    const message = isMissingProgram(error)
      ? "ovs-vsctl not found (Open vSwitch is not installed)"
      : errorText(error);
    return { available: false, error: message, bridges: [] };
  }
}

/** Open vSwitch bridges and ports asked of the database directly (no process). */
export async function readOvsDb(
  ovsDb: string,
  timeoutMs = DEFAULT_TIMEOUT_MS,
): Promise<{ available: boolean; error: string | null; bridges: OvsBridge[] }> {
  const socket = ovsDb.startsWith("unix:") ? ovsDb.slice("unix:".length) : null;
  if (socket !== null && !(await pathExists(socket))) {
    return { available: false, error: `OVS database socket ${socket} not found`, bridges: [] };
  }
  let vs: Vswitch | null = null;
  try {
    // A connection of its own per read: a one-off reader (CLI, tests) must not keep a socket open; the
    // agent reads from an OVSDB monitor instead (InventoryCollector).
    vs = await Vswitch.connect(ovsDb, timeoutMs);
    return { available: true, error: null, bridges: await vs.listBridges() };
  } catch (error) {
    return { available: false, error: errorText(error), bridges: [] };
  } finally {
    vs?.close();
  }
}

const viaOvsdb = (ovsDb: string, via: "ovsdb" | "vsctl" | undefined): boolean =>
  via !== "vsctl" && (ovsDb.startsWith("unix:") || ovsDb.startsWith("tcp:"));

/** Identifies a namespace file (device + inode), as `ip netns identify` does. */
export async function nsId(path: string): Promise<string | null> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}

/**
 * Named network namespaces (minus the one the reader itself runs in, e.g. a lab host's), each as a
 * container of runtime "netns" with its interfaces.
 */
export async function readNamedNetns(
  exec: Exec,
  options: {
    netnsPrefix?: string | null;
    netnsDir?: string;
    hostNetnsPath?: string;
    timeoutMs?: number;
    onWarning?: InventoryReaderOptions["onWarning"];
  },
): Promise<{ namespaces: string[]; containers: Container[] }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const dir = options.netnsDir ?? DEFAULT_NETNS_DIR;
  const { stdout } = await exec(["ip", "-j", "netns", "list"], { timeoutMs });
  const own = await nsId(options.hostNetnsPath ?? "/proc/self/ns/net");
  const names: string[] = [];
  for (const name of parseNetnsList(stdout)) {
    if (options.netnsPrefix && !name.startsWith(options.netnsPrefix)) continue;
    if (own !== null && (await nsId(`${dir}/${name}`)) === own) continue;
    names.push(name);
  }
  names.sort();
  const containers = await mapLimit(names, 8, async (name): Promise<Container> => {
    let interfaces: Container["interfaces"] = [];
    try {
      const { stdout: addr } = await exec(["ip", "-n", name, "-j", "-d", "addr", "show"], { timeoutMs });
      interfaces = containerInterfaces(parseIpLinks(addr));
    } catch (error) {
      options.onWarning?.("cannot read a network namespace's interfaces", {
        netns: name,
        error: errorText(error),
      });
    }
    return { id: name, name, runtime: "netns", state: "running", pid: null, interfaces };
  });
  return { namespaces: names, containers };
}

/** Interfaces inside the network namespace of a process (a container's init). */
export async function readProcessInterfaces(exec: Exec, pid: number, timeoutMs = DEFAULT_TIMEOUT_MS) {
  const { stdout } = await exec(["nsenter", `--net=/proc/${pid}/ns/net`, "ip", "-j", "-d", "addr", "show"], {
    timeoutMs,
  });
  return containerInterfaces(parseIpLinks(stdout));
}

export function containerName(summary: DockerContainerSummary): string {
  const first = summary.Names[0];
  return first ? first.replace(/^\//, "") : summary.Id.slice(0, 12);
}

/** Docker containers with the interfaces of the running ones; `available: false` when Docker cannot be asked. */
export async function readDocker(
  exec: Exec,
  options: {
    dockerSocket: string;
    docker?: DockerReader;
    timeoutMs?: number;
    onWarning?: InventoryReaderOptions["onWarning"];
  },
): Promise<{ docker: Inventory["docker"]; containers: Container[] }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!options.docker && !(await pathExists(options.dockerSocket))) {
    return {
      docker: { available: false, error: `docker socket ${options.dockerSocket} not found` },
      containers: [],
    };
  }
  const client = options.docker ?? new DockerClient(options.dockerSocket, timeoutMs);
  let list: DockerContainerSummary[];
  try {
    list = await client.listContainers();
  } catch (error) {
    return { docker: { available: false, error: errorText(error) }, containers: [] };
  }
  const containers = await mapLimit(list, 8, async (summary): Promise<Container> => {
    const base: Container = {
      id: summary.Id,
      name: containerName(summary),
      runtime: "docker",
      state: summary.State,
      pid: null,
      interfaces: [],
    };
    if (summary.State !== "running") return base;
    let inspect: DockerContainerInspect | null;
    try {
      inspect = await client.inspect(summary.Id);
    } catch (error) {
      options.onWarning?.("cannot inspect a docker container", {
        container: base.name,
        error: errorText(error),
      });
      return base;
    }
    if (!inspect) return { ...base, state: "removed" };
    const pid = inspect.State.Running && inspect.State.Pid > 0 ? inspect.State.Pid : null;
    const state = inspect.State.Status;
    if (pid === null) return { ...base, state };
    try {
      return { ...base, state, pid, interfaces: await readProcessInterfaces(exec, pid, timeoutMs) };
    } catch (error) {
      options.onWarning?.("cannot read a docker container's interfaces", {
        container: base.name,
        pid,
        error: errorText(error),
      });
      return { ...base, state, pid };
    }
  });
  return { docker: { available: true, error: null }, containers };
}

/**
 * Reads the host as it is, in the network namespace this process runs in: interfaces and addresses,
 * Linux bridges, Open vSwitch, named namespaces and Docker containers. The result is validated against
 * the protocol's `inventorySchema` and sorted deterministically (see `digestInventory`).
 */
export async function readInventory(options: InventoryReaderOptions): Promise<Inventory> {
  const exec = options.exec ?? realExec;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const now = options.now ?? (() => new Date());
  const [host, ovs, netns, docker] = await Promise.all([
    readHostInterfaces(exec, timeoutMs),
    viaOvsdb(options.ovsDb ?? DEFAULT_OVS_DB, options.ovsVia)
      ? readOvsDb(options.ovsDb ?? DEFAULT_OVS_DB, timeoutMs)
      : readOvs(exec, options.ovsDb ?? DEFAULT_OVS_DB, timeoutMs),
    readNamedNetns(exec, {
      netnsPrefix: options.netnsPrefix ?? null,
      netnsDir: options.netnsDir ?? DEFAULT_NETNS_DIR,
      hostNetnsPath: options.hostNetnsPath,
      timeoutMs,
      onWarning: options.onWarning,
    }),
    readDocker(exec, {
      dockerSocket: options.dockerSocket ?? DEFAULT_DOCKER_SOCKET,
      docker: options.docker,
      timeoutMs,
      onWarning: options.onWarning,
    }),
  ]);
  return normalizeInventory({
    collectedAt: now().toISOString(),
    hostname: options.hostname,
    interfaces: host.interfaces,
    bridges: host.bridges,
    ovs,
    namespaces: netns.namespaces,
    docker: docker.docker,
    containers: [...docker.containers, ...netns.containers],
  });
}
