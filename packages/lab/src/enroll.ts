import { apiRoutes, buildRequest, readResponse } from "@switchyard/protocol";
import { type AgentLaunchOptions, controlPlaneHostName, startAgent } from "./agent";
import type { LabState } from "./state";

/** Creates the host in the control plane (`createHost` with an admin API token) and returns its enrollment token. */
export async function createEnrollmentToken(
  serverUrl: string,
  adminToken: string,
  name: string,
): Promise<string> {
  const request = buildRequest(apiRoutes.createHost, { body: { name, description: "switchyard lab host" } });
  const res = await fetch(`${serverUrl.replace(/\/+$/, "")}${request.path}`, {
    method: request.method,
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify(request.body),
    signal: AbortSignal.timeout(10_000),
  });
  const body: unknown = await res.json().catch(() => null);
  const out = readResponse(apiRoutes.createHost, res.status, body);
  if (!out.ok) throw new Error(`create host ${name}: HTTP ${res.status} ${out.message}`);
  return out.value.enrollment.token;
}

/**
 * Enrolls every lab host: creates it in the control plane (named `P-hN`), then starts its agent with the
 * enrollment token (in the root namespace with `--netns P-hN` unless `agent.mode` says otherwise).
 * Resolves the agents' PIDs by lab host name (null: launcher missing).
 */
export async function enrollLab(
  state: LabState,
  serverUrl: string,
  adminToken: string,
  log: (line: string) => void = () => {},
  agent: AgentLaunchOptions = {},
): Promise<Record<string, number | null>> {
  const pids: Record<string, number | null> = {};
  for (const host of state.hosts) {
    const token = await createEnrollmentToken(serverUrl, adminToken, controlPlaneHostName(state, host.name));
    const pid = await startAgent(state, host.name, serverUrl, token, agent);
    pids[host.name] = pid;
    log(
      pid
        ? `${host.name}: agent pid ${pid} (netns ${host.netns}), log ${state.dir}/${host.name}/agent/agent.log`
        : `${host.name}: agent launcher missing, host created but not started`,
    );
  }
  return pids;
}
