import type { OvsBridge } from "@switchyard/protocol";
import type { ExecResult } from "../exec";
import { OVS_LIST_ARGS, parseOvsList } from "../inventory/ovs";
import type { NetnsTarget } from "../runtime/target";
import { type Link, parseFloodDestinations, parseLinks } from "./links";
import type { DriverDeps } from "./types";

/** Every command the drivers run, on the host or inside a container's namespace. */
export class HostOps {
  constructor(readonly deps: DriverDeps) {}

  private run(argv: readonly string[]): Promise<ExecResult> {
    return this.deps.exec(argv, { timeoutMs: this.deps.options.commandTimeoutMs });
  }

  ip(args: readonly string[]): Promise<ExecResult> {
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
    return this.run(["bridge", ...args]);
  }

  vsctl(args: readonly string[]): Promise<ExecResult> {
    const db = this.deps.options.ovsDb;
    return this.run(["ovs-vsctl", ...(db ? [`--db=${db}`] : []), "--timeout=10", ...args]);
  }

  async links(): Promise<Link[]> {
    return parseLinks((await this.ip(["-j", "-d", "addr", "show"])).stdout);
  }

  async linksIn(target: NetnsTarget): Promise<Link[]> {
    return parseLinks((await this.ipIn(target, ["-j", "-d", "addr", "show"])).stdout);
  }

  async ovsBridges(): Promise<OvsBridge[]> {
    return parseOvsList((await this.vsctl(["--format=json", ...OVS_LIST_ARGS])).stdout);
  }

  async floodDestinations(dev: string): Promise<string[]> {
    return parseFloodDestinations((await this.bridgeCmd(["-j", "fdb", "show", "dev", dev])).stdout);
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
