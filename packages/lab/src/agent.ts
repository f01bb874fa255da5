import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import * as testkit from "@switchyard/netops/testkit";
import { type LabHostState, type LabState, saveState } from "./state";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const AGENT_LAUNCHER = join(repoRoot, "apps/agent/bin/switchyard-agent.mjs");

/** The name a lab host is known by in the control plane (unique per lab run). */
export const controlPlaneHostName = (state: LabState, host: string): string => `${state.prefix}-${host}`;

export interface AgentLaunchOptions {
  /**
   * "root" (default): the agent process runs in the root namespace (so it reaches a control plane on
   * 127.0.0.1) with `--netns HOST`, and runs every command through `ip netns exec HOST`.
   * "inside": the whole agent runs under `ip netns exec HOST` (it must then reach the server from inside).
   */
  mode?: "root" | "inside";
  /** More agent flags, e.g. ["--poll-interval", "500ms"]. */
  extraArgs?: readonly string[];
  /** More environment for the agent. */
  env?: Readonly<Record<string, string>>;
  /**
   * Programs the agent runs under, exec'ing it (PID stays the agent's), e.g. `nsenter -t PID -m --` to
   * share a test's private mount namespace with a container runtime.
   */
  wrapper?: readonly string[];
  /** Serve the CNI plugin on `<lab>/<host>/agent/cni.sock` (agentCniSocket). */
  cni?: boolean;
}

/** Where a lab host's agent keeps its credential, applied-endpoint store and log. */
export const agentDir = (state: LabState, host: string): string => join(state.dir, host, "agent");
export const agentLogPath = (state: LabState, host: string): string =>
  join(agentDir(state, host), "agent.log");
/** The CNI plugin's socket of a lab host's agent started with `cni: true`. */
export const agentCniSocket = (state: LabState, host: string): string =>
  join(agentDir(state, host), "cni.sock");

function labHost(state: LabState, hostName: string): LabHostState {
  const host = state.hosts.find((h) => h.name === hostName);
  if (!host) throw new Error(`no host ${hostName} in lab ${state.prefix}`);
  return host;
}

/** The agent's argv (after the node binary) for a lab host. `token` only for the first start. */
export function agentArgs(
  state: LabState,
  host: LabHostState,
  serverUrl: string,
  token: string | null,
  mode: "root" | "inside",
): string[] {
  const dir = agentDir(state, host.name);
  return [
    AGENT_LAUNCHER,
    ...["--server", serverUrl],
    ...(token ? ["--token", token] : []),
    ...["--credential-file", join(dir, "credential.json"), "--state-dir", dir],
    ...["--hostname", controlPlaneHostName(state, host.name), "--netns-prefix", `${state.prefix}-c-`],
    ...(mode === "root" ? ["--netns", host.netns] : []),
    ...(host.ovs ? ["--ovs-db", host.ovs.db] : []),
    ...(state.docker ? ["--docker-socket", state.docker.socketPath] : []),
    ...["--datapath-type", "netdev"],
  ];
}

/**
 * Starts a lab host's agent with the host's private OVS database (userspace datapath), the lab's dockerd,
 * a credential file and state dir in `<lab>/<host>/agent/`, and only the lab's container namespaces
 * (`P-c-*`) reported. By default the agent runs in the root namespace with `--netns P-hN` (see
 * AgentLaunchOptions.mode). Logs append to `<lab>/<host>/agent/agent.log`; the PID goes into the state
 * file (down ends it). `token` is the one-time enrollment token, or null to restart an enrolled agent.
 * Resolves the PID, or null when the agent launcher does not exist.
 */
export async function startAgent(
  state: LabState,
  hostName: string,
  serverUrl: string,
  token: string | null,
  options: AgentLaunchOptions = {},
): Promise<number | null> {
  const host = labHost(state, hostName);
  if (!existsSync(AGENT_LAUNCHER)) return null;
  if (host.agentPid && (await testkit.isAlive(host.agentPid)))
    throw new Error(`agent of ${hostName} already runs (pid ${host.agentPid})`);
  const mode = options.mode ?? "root";
  await mkdir(agentDir(state, host.name), { recursive: true, mode: 0o700 });
  const args = [
    ...agentArgs(state, host, serverUrl, token, mode),
    ...(options.cni ? ["--cni-socket", agentCniSocket(state, host.name)] : []),
    ...(options.extraArgs ?? []),
  ];
  const log = await open(agentLogPath(state, host.name), "a");
  const env = { ...process.env, ...options.env };
  // `ip netns exec` (and a wrapper such as nsenter) execs the program (no fork): the PID is the agent's.
  const inner =
    mode === "root"
      ? [process.execPath, ...args]
      : ["ip", "netns", "exec", host.netns, process.execPath, ...args];
  const [file, ...argv] = [...(options.wrapper ?? []), ...inner] as [string, ...string[]];
  const child = spawn(file, argv, { detached: true, stdio: ["ignore", log.fd, log.fd], env });
  await log.close();
  child.unref();
  const pid = child.pid ?? null;
  host.agentPid = pid;
  await saveState(state);
  return pid;
}

/**
 * Ends a lab host's agent by its PID: SIGTERM (waits for a clean exit, SIGKILL after a grace period) or
 * SIGKILL at once (a crash). Resolves once it is gone; the state file forgets the PID.
 */
export async function stopAgent(
  state: LabState,
  hostName: string,
  signal: "SIGTERM" | "SIGKILL" = "SIGTERM",
): Promise<void> {
  const host = labHost(state, hostName);
  const pid = host.agentPid;
  if (!pid) return;
  if (signal === "SIGKILL") {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  await testkit.stopPid(pid, 5_000);
  host.agentPid = null;
  await saveState(state);
}
