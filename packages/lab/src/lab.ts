import { type Exec, type ExecOptions, exec as realExec } from "@switchyard/netops";
import { type AgentLaunchOptions, controlPlaneHostName, startAgent, stopAgent } from "./agent";
import { addDockerContainer, addNetnsContainer } from "./containers";
import { destroyLab } from "./down";
import type { LabContainerState, LabHostState, LabState } from "./state";
import { buildLab, type LabUpOptions } from "./up";

/** A running lab, for tests and the CLI. */
export class Lab {
  constructor(
    readonly state: LabState,
    private readonly exec: Exec = realExec,
  ) {}

  get prefix(): string {
    return this.state.prefix;
  }

  host(name: string): LabHostState {
    const host = this.state.hosts.find((h) => h.name === name);
    if (!host) throw new Error(`no host ${name} in lab ${this.prefix}`);
    return host;
  }

  /** An Exec running every command inside the host's namespace (what an agent on that host would see). */
  hostExec(name: string): Exec {
    const netns = this.host(name).netns;
    return (argv, options?: ExecOptions) => this.exec(argv, { ...options, netns });
  }

  /** The host's name in the control plane (`P-hN`). */
  controlPlaneName(host: string): string {
    return controlPlaneHostName(this.state, host);
  }

  /** Starts the host's agent (see startAgent in agent.ts); `token` null restarts an enrolled one. */
  startAgent(
    host: string,
    serverUrl: string,
    token: string | null,
    options?: AgentLaunchOptions,
  ): Promise<number | null> {
    return startAgent(this.state, host, serverUrl, token, options);
  }

  /** Ends the host's agent by PID (SIGKILL: as a crash). */
  stopAgent(host: string, signal: "SIGTERM" | "SIGKILL" = "SIGTERM"): Promise<void> {
    return stopAgent(this.state, host, signal);
  }

  addNetnsContainer(host: string, name: string): Promise<LabContainerState> {
    return addNetnsContainer(this.state, host, name, this.exec);
  }

  addDockerContainer(host: string, name: string): Promise<LabContainerState> {
    return addDockerContainer(this.state, host, name, this.exec);
  }

  /** Path of a container's network namespace (for nsenter). */
  async netnsPath(c: LabContainerState): Promise<string> {
    if (c.runtime === "netns") return `/run/netns/${c.ref}`;
    const socket = this.state.docker?.socketPath;
    if (!socket) throw new Error("this lab has no dockerd");
    const { stdout } = await this.exec([
      "docker",
      "-H",
      `unix://${socket}`,
      "inspect",
      "-f",
      "{{.State.Pid}}",
      c.ref,
    ]);
    return `/proc/${stdout.trim()}/ns/net`;
  }

  /** Runs argv inside a container's network namespace. */
  async inContainer(
    c: LabContainerState,
    argv: readonly string[],
    options?: ExecOptions,
  ): Promise<{ stdout: string; stderr: string }> {
    return this.exec(["nsenter", `--net=${await this.netnsPath(c)}`, "--", ...argv], options);
  }

  /** True when `address` answers a ping from the container within `attempts` one-second tries. */
  async pings(c: LabContainerState, address: string, attempts = 5): Promise<boolean> {
    // A userspace (netdev) datapath under load can take over a second for the first ARP and upcall: a
    // reply within 2 s on any of five tries counts. Checks that expect no reply pass attempts = 1.
    for (let i = 0; i < attempts; i++) {
      try {
        await this.inContainer(c, ["ping", "-c", "1", "-W", "2", address], { timeoutMs: 6_000 });
        return true;
      } catch {
        // retry
      }
    }
    return false;
  }

  down(): Promise<string[]> {
    return destroyLab(this.prefix, this.exec);
  }
}

export async function createLab(options: LabUpOptions): Promise<Lab> {
  const exec = options.exec ?? realExec;
  const state = await buildLab(options, (prefix) => destroyLab(prefix, exec));
  return new Lab(state, exec);
}
