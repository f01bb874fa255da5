/**
 * Control planes for int tests: a fresh database and any number of replicas on it, each a real
 * `startControlPlane` on 127.0.0.1 with the UI off and a known admin password. `close()` stops the
 * replicas and drops the database.
 */
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { loadConfig } from "../../src/server/config";
import { type ControlPlane, startControlPlane } from "../../src/server/control-plane";

export const TEST_ADMIN_EMAIL = "admin@switchyard.local";
export const TEST_ADMIN_PASSWORD = "admin-pw-for-int-tests";

export interface TestPlanes {
  db: TestDatabase;
  planes: ControlPlane[];
  close(): Promise<void>;
}

/** `replicas` control planes on one new database; `env` adds or overrides configuration variables. */
export async function startTestPlanes(replicas = 1, env: Record<string, string> = {}): Promise<TestPlanes> {
  const db = await createTestDatabase();
  const config = loadConfig({
    DATABASE_URL: db.url,
    PORT: "0",
    HOST: "127.0.0.1",
    SWITCHYARD_UI: "false",
    LOG_LEVEL: "silent",
    SWITCHYARD_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
    ...(replicas === 1 ? { SOCKET_ADAPTER: "memory" } : {}),
    ...env,
  });
  const planes: ControlPlane[] = [];
  const close = async () => {
    for (const p of planes.reverse()) await p.close();
    await db.drop();
  };
  try {
    for (let i = 0; i < replicas; i++) planes.push(await startControlPlane(config));
  } catch (err) {
    await close();
    throw err;
  }
  return { db, planes, close };
}

/** Signs the admin in on `baseUrl`; returns the session cookie ("name=value"). */
export async function signInCookie(baseUrl: string, password = TEST_ADMIN_PASSWORD): Promise<string> {
  const res = await fetch(`${baseUrl}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: TEST_ADMIN_EMAIL, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in failed: HTTP ${res.status}`);
  return (res.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
}

export type SessionHttp = (
  base: string,
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: Record<string, unknown> }>;

/** Requests with the session `cookie` (a JSON body when given); answers the status and the JSON body. */
export const sessionHttp =
  (cookie: string): SessionHttp =>
  async (base, method, path, body) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), cookie },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
