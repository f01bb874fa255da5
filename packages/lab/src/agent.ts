import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, open } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type LabState, saveState } from "./state";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const AGENT_LAUNCHER = join(repoRoot, "apps/agent/bin/switchyard-agent.mjs");

/**
 * Hook for enrolling a lab host in a control plane: spawns the agent under `ip netns exec HOST` with the
 * host's private OVS database and the netdev datapath, logs to the host's directory, records the PID in
 * the state file (down ends it). Resolves the PID, or null when the agent launcher does not exist yet.
 * The flags follow the agent's documented CLI at the time of writing; adjust here if they change.
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
  const log = await open(join(dataDir, "agent.log"), "a");
  const argv = [
    "netns",
    "exec",
    host.netns,
    process.execPath,
    AGENT_LAUNCHER,
    "--server",
    serverUrl,
    "--token",
    token,
  ];
  const extra = [
    "--data-dir",
    dataDir,
    "--datapath-type",
    "netdev",
    ...(host.ovs ? ["--ovs-db", host.ovs.db] : []),
  ];
  const extraDocker = state.docker ? ["--docker-socket", state.docker.socketPath] : [];
  const child = spawn("ip", [...argv, ...extra, ...extraDocker], {
    detached: true,
    stdio: ["ignore", log.fd, log.fd],
  });
  await log.close();
  child.unref();
  const pid = child.pid ?? null;
  host.agentPid = pid;
  await saveState(state);
  return pid;
}
