import type { OvsBridge } from "@switchyard/protocol";
import type { ExecResult } from "../exec";
import { OVS_LIST_ARGS, ovsMap, parseOvsList, parseOvsTable } from "../inventory/ovs";
import { type OvsPortSettings, sharedVswitch, type Vswitch } from "../ovsdb/vswitch";
import type { NetnsTarget } from "../runtime/target";
import { type Link, parseFloodDestinations, parseLinks } from "./links";
import type { DriverDeps } from "./types";

/**
 * Every command the drivers run, on the host or inside a container's namespace. One instance per
 * reconcile pass: it caches the host's links and OVS bridges until a command that may change them runs
 * (links: ip(), bridgeCmd() and every OVS change; OVS: every OVS change), so a pass over a host that
 * already matches reads each once.
 *
 * Open vSwitch is reached through its database protocol (one shared OVSDB connection per database,
 * about 1 ms per change) when `options.ovsDb` names a unix: or tcp: database and `ovsVia` is "ovsdb";
 * otherwise (no database given: ovs-vsctl's own default) through ovs-vsctl, 140-180 ms per call.
 */
export class HostOps {
  private linkCache: Promise<Link[]> | null = null;
  private ovsCache: Promise<OvsBridge[]> | null = null;

  constructor(readonly deps: DriverDeps) {}

  private invalidate(): void {
    this.linkCache = null;
    this.ovsCache = null;
  }

  /** The OVSDB remote to talk to directly, or null to go through ovs-vsctl. */
  get ovsdbRemote(): string | null {
    const { ovsDb, ovsVia } = this.deps.options;
    if (ovsVia === "vsctl" || !ovsDb) return null;
    return ovsDb.startsWith("unix:") || ovsDb.startsWith("tcp:") ? ovsDb : null;
  }

  private vswitch(): Promise<Vswitch> {
    return sharedVswitch(this.ovsdbRemote as string, this.deps.options.commandTimeoutMs);
  }

  /** Runs an OVS change on the database (or through ovs-vsctl), then drops the caches. */
  private async ovsWrite<T>(
    viaDb: (v: Vswitch) => Promise<T>,
    viaVsctl: () => Promise<unknown>,
  ): Promise<void> {
    try {
      if (this.ovsdbRemote) await viaDb(await this.vswitch());
      else await viaVsctl();
    } finally {
      this.invalidate();
    }
  }

  private run(argv: readonly string[]): Promise<ExecResult> {
    return this.deps.exec(argv, { timeoutMs: this.deps.options.commandTimeoutMs });
  }

  ip(args: readonly string[]): Promise<ExecResult> {
    this.linkCache = null;
    return this.run(["ip", ...args]);
  }

  /** Run argv inside the container's network namespace. */
  inside(target: NetnsTarget, argv: readonly string[]): Promise<ExecResult> {
    return this.run(["nsenter", `--net=${target.path}`, "--", ...argv]);
  }

  ipIn(target: NetnsTarget, args: readonly string[]): Promise<ExecResult> {
    return this.inside(target, ["ip", ...args]);
  }

  bridgeCmd(args: readonly string[]): Promise<ExecResult> {
    this.linkCache = null;
    return this.run(["bridge", ...args]);
  }

  private vsctlArgv(args: readonly string[]): string[] {
    const db = this.deps.options.ovsDb;
    return ["ovs-vsctl", ...(db ? [`--db=${db}`] : []), "--timeout=10", ...args];
  }

  vsctl(args: readonly string[]): Promise<ExecResult> {
    this.invalidate();
    return this.run(this.vsctlArgv(args));
  }

  /** A read-only ovs-vsctl command (list, get): leaves the caches alone. */
  vsctlRead(args: readonly string[]): Promise<ExecResult> {
    return this.run(this.vsctlArgv(args));
  }

  links(): Promise<Link[]> {
    if (!this.linkCache) {
      const read = this.run(["ip", "-j", "-d", "addr", "show"]).then((r) => parseLinks(r.stdout));
      read.catch(() => this.invalidate());
      this.linkCache = read;
    }
    return this.linkCache;
  }

  async linksIn(target: NetnsTarget): Promise<Link[]> {
    return parseLinks((await this.ipIn(target, ["-j", "-d", "addr", "show"])).stdout);
  }

  ovsBridges(): Promise<OvsBridge[]> {
    if (!this.ovsCache) {
      const read = this.ovsdbRemote
        ? this.vswitch().then((v) => v.listBridges())
        : this.run(this.vsctlArgv(["--format=json", ...OVS_LIST_ARGS])).then((r) => parseOvsList(r.stdout));
      read.catch(() => {
        this.ovsCache = null;
      });
      this.ovsCache = read;
    }
    return this.ovsCache;
  }

  /** Each OVS bridge's external_ids, by bridge name. */
  async ovsBridgeExternalIds(): Promise<Map<string, Record<string, string>>> {
    if (this.ovsdbRemote) return (await this.vswitch()).bridgeExternalIds();
    const out = await this.vsctlRead(["--format=json", "--columns=name,external_ids", "list", "bridge"]);
    return new Map(
      parseOvsTable(JSON.parse(out.stdout)).map((row) => [String(row.name), ovsMap(row.external_ids)]),
    );
  }

  /** `add-br NAME -- set bridge NAME datapath_type=T -- br-set-external-id NAME K V ...`. */
  ovsAddBridge(name: string, datapathType: string, externalIds: Record<string, string> = {}): Promise<void> {
    return this.ovsWrite(
      (v) => v.addBridge(name, { datapathType, externalIds }),
      () =>
        this.run(
          this.vsctlArgv([
            "add-br",
            name,
            "--",
            "set",
            "bridge",
            name,
            `datapath_type=${datapathType}`,
            ...Object.entries(externalIds).flatMap(([k, val]) => ["--", "br-set-external-id", name, k, val]),
          ]),
        ),
    );
  }

  ovsSetBridgeDatapath(name: string, datapathType: string): Promise<void> {
    return this.ovsWrite(
      (v) => v.setBridgeDatapath(name, datapathType),
      () => this.run(this.vsctlArgv(["set", "bridge", name, `datapath_type=${datapathType}`])),
    );
  }

  /** `--if-exists del-br NAME`. */
  ovsDelBridge(name: string): Promise<void> {
    return this.ovsWrite(
      (v) => v.delBridge(name),
      () => this.run(this.vsctlArgv(["--if-exists", "del-br", name])),
    );
  }

  /** `--if-exists del-port NAME -- add-port BRIDGE NAME` with the settings, in one transaction. */
  ovsAddPort(bridge: string, name: string, settings: OvsPortSettings = {}): Promise<void> {
    return this.ovsWrite(
      (v) => v.addPort(bridge, name, settings),
      () =>
        this.run(
          this.vsctlArgv([
            "--if-exists",
            "del-port",
            name,
            "--",
            "add-port",
            bridge,
            name,
            ...vsctlPortSettings(name, settings),
          ]),
        ),
    );
  }

  /** `set port NAME ...` for the settings given (a null tag is cleared). */
  ovsSetPort(name: string, settings: OvsPortSettings): Promise<void> {
    const args = vsctlPortSettings(name, settings);
    return this.ovsWrite(
      (v) => v.setPort(name, settings),
      () => (args.length > 0 ? this.run(this.vsctlArgv(args.slice(1))) : Promise.resolve()),
    );
  }

  /** `--if-exists del-port [BRIDGE] NAME`. */
  ovsDelPort(name: string, bridge?: string): Promise<void> {
    return this.ovsWrite(
      (v) => v.delPort(name, bridge),
      () => this.run(this.vsctlArgv(["--if-exists", "del-port", ...(bridge ? [bridge] : []), name])),
    );
  }

  /**
   * Resolves once ovs-vswitchd has applied the OVS changes made so far (through ovs-vsctl it already
   * has: ovs-vsctl waits itself); rejects after the command timeout. For what needs the datapath, such as
   * a gratuitous ARP leaving through a port just added; nothing else waits for it.
   */
  async ovsSettled(): Promise<void> {
    if (!this.ovsdbRemote) return;
    await (await this.vswitch()).settled(this.deps.options.commandTimeoutMs);
  }

  async floodDestinations(dev: string): Promise<string[]> {
    return parseFloodDestinations((await this.run(["bridge", "-j", "fdb", "show", "dev", dev])).stdout);
  }

  /** Runs every cleanup step, ignoring failures (used for rollback and removal of leftovers). */
  async bestEffort(steps: readonly (() => Promise<unknown>)[]): Promise<void> {
    for (const step of steps) {
      try {
        await step();
      } catch {
        // already gone or never made
      }
    }
  }
}

/** The ovs-vsctl argv (starting with "--") that applies `settings` to a port; [] when there are none. */
function vsctlPortSettings(name: string, settings: OvsPortSettings): string[] {
  const set: string[] = [];
  const clear: string[] = [];
  if (settings.tag === null) clear.push("--", "clear", "port", name, "tag");
  else if (settings.tag !== undefined) set.push(`tag=${settings.tag}`);
  if (settings.trunks?.length === 0) clear.push("--", "clear", "port", name, "trunks");
  else if (settings.trunks) set.push(`trunks=${settings.trunks.join(",")}`);
  for (const [k, v] of Object.entries(settings.externalIds ?? {})) set.push(`external_ids:${k}=${v}`);
  return [...(set.length > 0 ? ["--", "set", "port", name, ...set] : []), ...clear];
}
