import { readdir } from "node:fs/promises";
import type { Container, ContainerInterface, Inventory, OvsBridge } from "@switchyard/protocol";
import { DockerContainerCache } from "../docker-cache";
import { type Exec, exec as realExec } from "../exec";
import { OvsMonitor } from "../ovsdb/monitor";
import { normalizeInventory } from "./digest";
import { containerInterfaces, hostInterfaces, type IpLink, linuxBridges, parseIpLinks } from "./ip";
import {
  containerName,
  DEFAULT_DOCKER_SOCKET,
  DEFAULT_NETNS_DIR,
  DEFAULT_OVS_DB,
  errorText,
  mapLimit,
  nsId,
  pathExists,
  readOvs,
} from "./read";

export const DEFAULT_RESYNC_INTERVAL_MS = 60_000;

export interface InventoryCollectorOptions {
  hostname: string;
  ovsDb?: string;
  dockerSocket?: string;
  netnsPrefix?: string | null;
  netnsDir?: string;
  /** The managed host's namespace file (see InventoryReaderOptions.hostNetnsPath). */
  hostNetnsPath?: string;
  exec?: Exec;
  timeoutMs?: number;
  /** Everything is read again from scratch this often, whatever the events said. Default 60 s. */
  resyncIntervalMs?: number;
  /**
   * The caller calls hostChanged() for every link or address change in the host's namespace (the
   * agent's link monitor): the host's interfaces are then read only after one. Without it they are read
   * on every collect.
   */
  hostEvents?: boolean;
  /** A running cache to share (the engine's, so one event stream serves both); else one is made. */
  docker?: DockerContainerCache;
  /** Something changed that the next collect will show (OVS monitor update, Docker event). */
  onChange?: () => void;
  onWarning?: (message: string, fields?: Record<string, unknown>) => void;
  now?: () => Date;
}

interface NsEntry {
  /** dev:inode of the namespace file: a new namespace (container restarted) is read again. */
  identity: string;
  interfaces: ContainerInterface[];
}

/** How many namespace reads, host reads and full resyncs a collector did (tests and metrics). */
export interface CollectorCounters {
  hostReads: number;
  namespaceReads: number;
  resyncs: number;
}

/**
 * The inventory kept from events instead of re-read on every poll: Open vSwitch from an OVSDB monitor,
 * Docker containers from the daemon's event stream, a container's namespace read once when it appears
 * (or is a new namespace), when a Docker event or the engine (containersChanged) says it changed, or
 * when a host link change concerns it (a veth whose peer is in that namespace, seen by its netnsid);
 * the host's own interfaces after a link event (hostChanged) when `hostEvents`. Everything again every
 * `resyncIntervalMs`. A change made inside a container behind Switchyard's back (an address flushed
 * there) shows at the next resync.
 */
export class InventoryCollector {
  readonly counters: CollectorCounters = { hostReads: 0, namespaceReads: 0, resyncs: 0 };
  private readonly exec: Exec;
  private readonly timeoutMs: number;
  private readonly ovsDb: string;
  private readonly netnsDir: string;
  private readonly docker: DockerContainerCache;
  private readonly ownDocker: boolean;
  private monitor: OvsMonitor | null = null;
  private lastResync = Number.NEGATIVE_INFINITY;
  private host: { links: IpLink[]; veths: Set<string> } | null = null;
  private hostDirty = true;
  private readonly namespaces = new Map<string, NsEntry>();
  private readonly dirty = new Set<string>();
  /** netnsids of new host veths whose namespace is not known yet (see collect()). */
  private readonly unknownNsids = new Set<number>();
  /** netnsid (as the host sees it) -> namespace key, learnt from veth pairs. */
  private readonly nsidOwner = new Map<number, string>();
  private readonly stopDocker: () => void;

  constructor(private readonly options: InventoryCollectorOptions) {
    this.exec = options.exec ?? realExec;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.ovsDb = options.ovsDb ?? DEFAULT_OVS_DB;
    this.netnsDir = options.netnsDir ?? DEFAULT_NETNS_DIR;
    this.ownDocker = options.docker === undefined;
    this.docker =
      options.docker ??
      new DockerContainerCache(options.dockerSocket ?? DEFAULT_DOCKER_SOCKET, { timeoutMs: this.timeoutMs });
    const onDocker = (ids: string[]) => {
      for (const id of ids) this.dirty.add(`docker:${id}`);
      options.onChange?.();
    };
    this.stopDocker = this.docker.subscribe(onDocker);
  }

  /** Starts the OVSDB monitor and (when the collector made it) the Docker cache; resolves once both tried. */
  async start(): Promise<void> {
    if (this.ovsDb.startsWith("unix:") || this.ovsDb.startsWith("tcp:")) {
      this.monitor ??= new OvsMonitor({
        remote: this.ovsDb,
        timeoutMs: this.timeoutMs,
        onChange: () => this.options.onChange?.(),
      });
    }
    await Promise.all([this.monitor?.ready(), this.ownDocker ? this.docker.start() : undefined]);
  }

  stop(): void {
    this.monitor?.stop();
    this.monitor = null;
    this.stopDocker();
    if (this.ownDocker) this.docker.stop();
  }

  /** A link or address changed in the host's namespace. */
  hostChanged(): void {
    this.hostDirty = true;
  }

  /** These containers (Docker id or name, netns name) changed; none given: every one. */
  containersChanged(refs?: readonly string[]): void {
    if (!refs) {
      for (const key of this.namespaces.keys()) this.dirty.add(key);
      return;
    }
    for (const ref of refs) {
      this.dirty.add(`netns:${ref}`);
      for (const c of this.docker.cached())
        if (c.id === ref || c.name === ref || c.id.startsWith(ref)) this.dirty.add(`docker:${c.id}`);
    }
  }

  async collect(): Promise<Inventory> {
    const now = this.options.now?.() ?? new Date();
    if (now.getTime() - this.lastResync >= (this.options.resyncIntervalMs ?? DEFAULT_RESYNC_INTERVAL_MS)) {
      this.lastResync = now.getTime();
      this.counters.resyncs++;
      this.namespaces.clear();
      this.nsidOwner.clear();
      this.hostDirty = true;
    }
    const host = await this.readHost();
    const [ovs, firstNetns, firstDocker] = await Promise.all([
      this.readOvs(),
      this.readNetns(),
      this.readDocker(),
    ]);
    let [netns, docker] = [firstNetns, firstDocker];
    // A veth into a namespace nobody named: only then is every namespace not yet tied to a netnsid read
    // again (reading them all for each new veth made an attach O(containers) on a busy host).
    const unresolved = [...this.unknownNsids].some((nsid) => !this.nsidOwner.has(nsid));
    this.unknownNsids.clear();
    if (unresolved) {
      const known = new Set(this.nsidOwner.values());
      for (const key of this.namespaces.keys()) if (!known.has(key)) this.dirty.add(key);
      [netns, docker] = await Promise.all([this.readNetns(), this.readDocker()]);
    }
    return normalizeInventory({
      collectedAt: now.toISOString(),
      hostname: this.options.hostname,
      interfaces: host,
      bridges: linuxBridges(host),
      ovs,
      namespaces: netns.map((c) => c.name),
      docker: docker.status,
      containers: [...docker.containers, ...netns],
    });
  }

  private async readHost() {
    if (this.host && !this.hostDirty && this.options.hostEvents) return hostInterfaces(this.host.links);
    this.hostDirty = false;
    this.counters.hostReads++;
    const { stdout } = await this.exec(["ip", "-j", "-d", "addr", "show"], { timeoutMs: this.timeoutMs });
    const links = parseIpLinks(stdout);
    const veths = new Set(
      links.filter((l) => l.linkNetnsId !== null).map((l) => `${l.index}:${l.linkIndex}:${l.linkNetnsId}`),
    );
    if (this.host) {
      // Veths with a peer in another namespace that appeared or went: that namespace changed too.
      const changed = [...veths].filter((v) => !this.host?.veths.has(v));
      changed.push(...[...this.host.veths].filter((v) => !veths.has(v)));
      for (const v of changed) {
        const nsid = Number(v.split(":")[2]);
        const owner = this.nsidOwner.get(nsid);
        if (owner) this.dirty.add(owner);
        // Not seen yet from that side (a container's first interface): resolved after the namespaces
        // already marked changed are read (the engine names the container it plugged, see collect()).
        else this.unknownNsids.add(nsid);
      }
    }
    this.host = { links, veths };
    return hostInterfaces(links);
  }

  private async readOvs(): Promise<Inventory["ovs"]> {
    if (!this.monitor) return readOvs(this.exec, this.ovsDb, this.timeoutMs);
    if (this.monitor.synced)
      return { available: true, error: null, bridges: this.monitor.bridges() as OvsBridge[] };
    const socket = this.ovsDb.startsWith("unix:") ? this.ovsDb.slice("unix:".length) : null;
    if (socket !== null && !(await pathExists(socket)))
      return { available: false, error: `OVS database socket ${socket} not found`, bridges: [] };
    return { available: false, error: this.monitor.lastError, bridges: [] };
  }

  /** A namespace's interfaces, from the cache unless it is new, re-made or marked changed. */
  private async interfacesOf(key: string, nsPath: string, argv: string[], what: Record<string, unknown>) {
    const identity = await nsId(nsPath);
    const cached = this.namespaces.get(key);
    if (cached && identity !== null && cached.identity === identity && !this.dirty.has(key))
      return cached.interfaces;
    this.dirty.delete(key);
    this.counters.namespaceReads++;
    try {
      const { stdout } = await this.exec(argv, { timeoutMs: this.timeoutMs });
      const interfaces = containerInterfaces(parseIpLinks(stdout));
      if (identity !== null) this.namespaces.set(key, { identity, interfaces });
      this.learnNsid(key, interfaces);
      return interfaces;
    } catch (error) {
      this.namespaces.delete(key);
      this.options.onWarning?.("cannot read a container's interfaces", { ...what, error: errorText(error) });
      return null;
    }
  }

  private learnNsid(key: string, interfaces: ContainerInterface[]): void {
    for (const [nsid, owner] of this.nsidOwner) if (owner === key) this.nsidOwner.delete(nsid);
    for (const i of interfaces) {
      const peer = this.host?.links.find((l) => l.index === i.peerIndex && l.linkNetnsId !== null);
      if (peer?.linkNetnsId != null) this.nsidOwner.set(peer.linkNetnsId, key);
    }
  }

  private async readNetns(): Promise<Container[]> {
    let names: string[];
    try {
      names = (await readdir(this.netnsDir)).sort();
    } catch {
      return [];
    }
    const own = await nsId(this.options.hostNetnsPath ?? "/proc/self/ns/net");
    const prefix = this.options.netnsPrefix;
    const kept: string[] = [];
    for (const name of names) {
      if (prefix && !name.startsWith(prefix)) continue;
      if (own !== null && (await nsId(`${this.netnsDir}/${name}`)) === own) continue;
      kept.push(name);
    }
    return mapLimit(kept, 8, async (name): Promise<Container> => {
      const interfaces = await this.interfacesOf(
        `netns:${name}`,
        `${this.netnsDir}/${name}`,
        ["ip", "-n", name, "-j", "-d", "addr", "show"],
        { netns: name },
      );
      return { id: name, name, runtime: "netns", state: "running", pid: null, interfaces: interfaces ?? [] };
    });
  }

  private async readDocker(): Promise<{ status: Inventory["docker"]; containers: Container[] }> {
    if (!this.docker.synced && !(await pathExists(this.docker.socketPath))) {
      return {
        status: { available: false, error: `docker socket ${this.docker.socketPath} not found` },
        containers: [],
      };
    }
    let list: Awaited<ReturnType<DockerContainerCache["listContainers"]>>;
    try {
      list = await this.docker.listContainers();
    } catch (error) {
      return { status: { available: false, error: errorText(error) }, containers: [] };
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
      const info = await this.docker.inspect(summary.Id).catch(() => null);
      if (!info) return { ...base, state: "removed" };
      const pid = info.State.Running && info.State.Pid > 0 ? info.State.Pid : null;
      if (pid === null) return { ...base, state: info.State.Status };
      const interfaces = await this.interfacesOf(
        `docker:${summary.Id}`,
        `/proc/${pid}/ns/net`,
        ["nsenter", `--net=/proc/${pid}/ns/net`, "ip", "-j", "-d", "addr", "show"],
        { container: base.name, pid },
      );
      return { ...base, state: info.State.Status, pid, interfaces: interfaces ?? [] };
    });
    return { status: { available: true, error: null }, containers };
  }
}
