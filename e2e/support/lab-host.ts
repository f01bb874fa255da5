import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { e2e } from "./env";

const AGENT = fileURLToPath(new URL("../../apps/agent/bin/switchyard-agent.mjs", import.meta.url));

function run(argv: string[]): void {
  const [file, ...args] = argv;
  if (!file) throw new Error("empty argv");
  execFileSync(file, args, { stdio: ["ignore", "ignore", "pipe"], timeout: 10_000 });
}

/**
 * A simulated host: a network namespace joined to the suite's namespace (where the control plane
 * listens) by a veth pair on a /30 of its own. Agents run inside it with `ip netns exec`.
 */
export class LabHost {
  readonly netns: string;
  readonly serverUrl: string;
  private readonly link: string;
  private readonly stateDir = mkdtempSync(join(tmpdir(), "sy-e2e-agent-"));
  private agent: ChildProcess | null = null;
  private readonly extraNamespaces: string[] = [];

  constructor(readonly index: number) {
    this.netns = `${e2e.prefix}h${index}`;
    this.link = `${e2e.prefix}v${index}`;
    const subnet = `10.231.${index}`;
    run(["ip", "netns", "add", this.netns]);
    run(["ip", "-n", this.netns, "link", "set", "lo", "up"]);
    run(["ip", "link", "add", this.link, "type", "veth", "peer", "name", "eth0", "netns", this.netns]);
    run(["ip", "addr", "add", `${subnet}.1/30`, "dev", this.link]);
    run(["ip", "link", "set", this.link, "up"]);
    run(["ip", "-n", this.netns, "addr", "add", `${subnet}.2/30`, "dev", "eth0"]);
    run(["ip", "-n", this.netns, "link", "set", "eth0", "up"]);
    this.serverUrl = `http://${subnet}.1:${e2e.port}`;
  }

  get credentialFile(): string {
    return join(this.stateDir, "credential.json");
  }

  /**
   * Starts the agent; without a token it must already hold a credential from an earlier enrollment.
   * Its poll interval is long on purpose: changes must reach the UI through its link monitor. `extra`:
   * further agent options (`--drift-repair report`, a narrower `--netns-prefix`).
   */
  startAgent(token?: string, extra: readonly string[] = []): ChildProcess {
    const args = [
      AGENT,
      "--server",
      this.serverUrl,
      "--credential-file",
      this.credentialFile,
      "--poll-interval",
      "30s",
      // Only this run's named namespaces: a lab of another session on the machine is not this host's.
      ...(extra.includes("--netns-prefix") ? [] : ["--netns-prefix", e2e.prefix]),
      ...extra,
    ];
    if (token) args.push("--token", token);
    // `ip netns exec` execs node in place: the PID we hold is the agent's own.
    this.agent = spawn("ip", ["netns", "exec", this.netns, process.execPath, ...args], {
      stdio: ["ignore", "ignore", "inherit"],
      env: { ...process.env, LOG_LEVEL: "warn" },
    });
    return this.agent;
  }

  /** SIGKILL simulates a crashed host agent. */
  async stopAgent(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const agent = this.agent;
    this.agent = null;
    if (!agent || agent.exitCode !== null) return;
    const exited = new Promise((r) => agent.once("exit", r));
    agent.kill(signal);
    await exited;
  }

  /** Deletes a link of this host by hand (drift: a veth's host end takes its peer with it). */
  deleteLink(name: string): void {
    run(["ip", "-n", this.netns, "link", "del", name]);
  }

  /** A bare "container": a named namespace with no interfaces yet, for Switchyard to attach. */
  addEmptyNetnsContainer(name: string): void {
    run(["ip", "netns", "add", name]);
    this.extraNamespaces.push(name);
  }

  /** The JSON addresses of `ifname` inside container namespace `name` (`ip -j addr`). */
  containerAddresses(name: string, ifname: string): string[] {
    const out = execFileSync("ip", ["-n", name, "-j", "addr", "show", "dev", ifname], {
      encoding: "utf8",
      timeout: 10_000,
    });
    const links = JSON.parse(out) as { addr_info?: { local: string; prefixlen: number }[] }[];
    return links.flatMap((l) => (l.addr_info ?? []).map((a) => `${a.local}/${a.prefixlen}`));
  }

  /** A "container": a named namespace with a veth whose host end lives in this host. */
  addNetnsContainer(name: string, address: string): void {
    const hostEnd = `${name.slice(-8)}h`;
    run(["ip", "netns", "add", name]);
    this.extraNamespaces.push(name);
    run([
      "ip",
      "-n",
      this.netns,
      "link",
      "add",
      hostEnd,
      "type",
      "veth",
      "peer",
      "name",
      "eth0",
      "netns",
      name,
    ]);
    run(["ip", "-n", this.netns, "link", "set", hostEnd, "up"]);
    run(["ip", "-n", name, "addr", "add", address, "dev", "eth0"]);
    run(["ip", "-n", name, "link", "set", "eth0", "up"]);
  }

  async remove(): Promise<void> {
    await this.stopAgent("SIGKILL");
    for (const ns of [...this.extraNamespaces, this.netns]) {
      try {
        run(["ip", "netns", "del", ns]);
      } catch {
        // already gone
      }
    }
    try {
      run(["ip", "link", "del", this.link]);
    } catch {
      // deleting the namespace removed the pair
    }
    rmSync(this.stateDir, { recursive: true, force: true });
  }
}
