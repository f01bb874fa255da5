import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type LabState, saveState } from "./state";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const AGENT_LAUNCHER = join(repoRoot, "apps/agent/bin/switchyard-agent.mjs");

/** The name a lab host is known by in the control plane (unique per lab run). */
export const controlPlaneHostName = (state: LabState, host: string): string => `${state.prefix}-${host}`;

/**
 * Starts a lab host's agent: `ip netns exec HOST node switchyard-agent.mjs --server URL --token TOKEN` with
 * the host's private OVS database, the lab's dockerd, a credential file in the host's lab directory and
 * only the lab's container namespaces reported. Logs to `<lab>/<host>/agent/agent.log`; the PID goes into
 * the state file (down ends it). Resolves the PID, or null when the agent launcher does not exist.
 * SWITCHYARD_DATAPATH_TYPE=netdev tells an agent that reconciles OVS to use the userspace datapath.
 */
export async function startAgent(
  state: LabState,
  hostName: string,
  serverUrl: string,
  token: string,
): Promise<number | null> {
  const host = state.hosts.find((h) => h.name === hostName);
  if (!host) throw new Error(`no host ${hostName} in lab ${state.prefix}`);
  if (!existsSync(AGENT_LAUNCHER)) return null;
  const dataDir = join(state.dir, host.name, "agent");
  await mkdir(dataDir, { recursive: true });
  const args = [
    ...["netns", "exec", host.netns, process.execPath, AGENT_LAUNCHER],
    ...["--server", serverUrl, "--token", token, "--credential-file", join(dataDir, "credential.json")],
    ...["--hostname", controlPlaneHostName(state, host.name), "--netns-prefix", `${state.prefix}-c-`],
    ...(host.ovs ? ["--ovs-db", host.ovs.db] : []),
    ...(state.docker ? ["--docker-socket", state.docker.socketPath] : []),
  ];
  const log = await open(join(dataDir, "agent.log"), "a");
  const env = { ...process.env, SWITCHYARD_DATAPATH_TYPE: "netdev" };
  const child = spawn("ip", args, { detached: true, stdio: ["ignore", log.fd, log.fd], env });
  await log.close();
  child.unref();
  const pid = child.pid ?? null;
  host.agentPid = pid;
  await saveState(state);
  return pid;
}
