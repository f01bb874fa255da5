import type { OvsBridge } from "@switchyard/protocol";
import type { ExecResult } from "../exec";
import { OVS_LIST_ARGS, parseOvsList } from "../inventory/ovs";
import type { NetnsTarget } from "../runtime/target";
import { type Link, parseFloodDestinations, parseLinks } from "./links";
import type { DriverDeps } from "./types";

/**
 * Every command the drivers run, on the host or inside a container's namespace. One instance per
 * reconcile pass: it caches the host's links and OVS bridges until a command that may change the host
 * runs (anything through ip(), vsctl(), bridgeCmd()), so a pass over a host that already matches reads
 * each once.
 */
export class HostOps {
  private linkCache: Promise<Link[]> | null = null;
  private ovsCache: Promise<OvsBridge[]> | null = null;

  constructor(readonly deps: DriverDeps) {}

  private invalidate(): void {
    this.linkCache = null;
    this.ovsCache = null;
  }

  private run(argv: readonly string[]): Promise<ExecResult> {
    return this.deps.exec(argv, { timeoutMs: this.deps.options.commandTimeoutMs });
  }

  ip(args: readonly string[]): Promise<ExecResult> {
    this.invalidate();
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
    this.invalidate();
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
      const read = this.run(this.vsctlArgv(["--format=json", ...OVS_LIST_ARGS])).then((r) =>
        parseOvsList(r.stdout),
      );
      read.catch(() => this.invalidate());
      this.ovsCache = read;
    }
    return this.ovsCache;
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
