import { controlPlaneHostName, startAgent } from "./agent";
import type { LabState } from "./state";

interface CreatedHost {
  host: { id: string; name: string };
  enrollment: { token: string };
}

function isCreatedHost(v: unknown): v is CreatedHost {
  const o = v as Partial<CreatedHost> | null;
  return typeof o?.host?.id === "string" && typeof o.enrollment?.token === "string";
}

/** Creates the host in the control plane (`POST /api/v1/hosts` with an admin API token) and returns its enrollment token. */
export async function createEnrollmentToken(
  serverUrl: string,
  adminToken: string,
  name: string,
): Promise<string> {
  const res = await fetch(`${serverUrl.replace(/\/+$/, "")}/api/v1/hosts`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ name, description: "switchyard lab host" }),
    signal: AbortSignal.timeout(10_000),
  });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok || !isCreatedHost(body))
    throw new Error(`POST /api/v1/hosts ${name}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body.enrollment.token;
}

/** Enrolls every lab host: creates it in the control plane, then starts its agent with the enrollment token. */
export async function enrollLab(
  state: LabState,
  serverUrl: string,
  adminToken: string,
  log: (line: string) => void,
): Promise<void> {
  for (const host of state.hosts) {
    const token = await createEnrollmentToken(serverUrl, adminToken, controlPlaneHostName(state, host.name));
    const pid = await startAgent(state, host.name, serverUrl, token);
    log(
      pid
        ? `${host.name}: agent pid ${pid}`
        : `${host.name}: agent launcher missing, host created but not started`,
    );
  }
}
