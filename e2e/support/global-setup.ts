import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { e2e } from "./env";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Starts the real control plane (built UI, embedded PostgreSQL) inside the suite's namespace. */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const dataDir = await mkdtemp(join(tmpdir(), "sy-e2e-"));
  await chmod(dataDir, 0o755); // postgres runs as its own user and must reach the data dir
  const port = 3000 + Math.floor(Math.random() * 1000);
  const pgPort = 20_000 + Math.floor(Math.random() * 20_000);
  const server: ChildProcess = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: join(ROOT, "apps/web"),
    stdio: ["ignore", "inherit", "inherit"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "0.0.0.0",
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_PG_PORT: String(pgPort),
      SWITCHYARD_ADMIN_PASSWORD: e2e.adminPassword,
      SWITCHYARD_LOCAL_AGENT: "false",
      HEARTBEAT_INTERVAL_MS: "1000",
      OFFLINE_AFTER_MS: "4000",
      PRESENCE_SWEEP_INTERVAL_MS: "500",
      AGENT_DISCONNECT_GRACE_MS: "1000",
      LOG_LEVEL: "warn",
    },
  });
  const baseURL = `http://127.0.0.1:${port}`;
  process.env.E2E_BASE_URL = baseURL;
  process.env.E2E_PORT = String(port);
  process.env.E2E_DATA_DIR = dataDir;

  const stop = async () => {
    if (server.exitCode === null && server.pid) {
      server.kill("SIGTERM");
      const exited = await Promise.race([
        new Promise((r) => server.once("exit", () => r(true))),
        new Promise((r) => setTimeout(() => r(false), 15_000)),
      ]);
      if (!exited) server.kill("SIGKILL");
    }
    await rm(dataDir, { recursive: true, force: true });
  };

  try {
    await waitForHealth(`${baseURL}/api/v1/health`, server, 120_000);
    // The embedded database, for specs that seed rows as agents store them (fleet-map.spec.ts).
    const password = (await readFile(join(dataDir, "postgres", "switchyard.password"), "utf8")).trim();
    process.env.E2E_DATABASE_URL = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/switchyard`;
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}

async function waitForHealth(url: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`control plane exited with code ${server.exitCode}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`control plane not healthy at ${url} after ${timeoutMs} ms`);
}
