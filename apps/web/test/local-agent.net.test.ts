import { type ChildProcess, spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { hostListSchema } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localHostName } from "../src/server/local-agent";

// Root only: the local agent reads this machine's real inventory (it changes nothing: no network is
// attached), as `npm start` does as root.
const webDir = path.resolve(import.meta.dirname, "..");
const PASSWORD = "local-agent-test-1";
let db: TestDatabase;
let dataDir: string;
const started: ChildProcess[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  dataDir = await mkdtemp(path.join(tmpdir(), "sy-local-agent-"));
  await chmod(dataDir, 0o755);
});
afterAll(async () => {
  for (const p of started) if (p.exitCode === null) p.kill("SIGKILL");
  await db?.drop();
  await rm(dataDir, { recursive: true, force: true });
});

interface Running {
  url: string;
  agentPid: number;
  stop(): Promise<number | null>;
}

/** server.ts as `npm start` runs it (local agent on), API only, on a free port. */
async function startServer(): Promise<Running> {
  const proc = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: webDir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      DATABASE_URL: db.url,
      SWITCHYARD_DATA_DIR: dataDir,
      SWITCHYARD_ADMIN_PASSWORD: PASSWORD,
      PORT: "0",
      HOST: "127.0.0.1",
      SWITCHYARD_UI: "false",
      LOG_LEVEL: "info",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.push(proc);
  let out = "";
  proc.stderr.on("data", (d: Buffer) => {
    out += d.toString();
  });
  return new Promise<Running>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start its local agent: ${out}`)), 60_000);
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const url = /Switchyard control plane: (http:\/\/\S+)/.exec(out)?.[1];
      const pid = /"pid":(\d+)[^\n]*"msg":"local agent started"/.exec(out)?.[1];
      if (url && pid) {
        clearTimeout(timer);
        resolve({
          url,
          agentPid: Number(pid),
          stop: () =>
            new Promise((done) => {
              proc.once("exit", (code) => done(code));
              proc.kill("SIGTERM");
            }),
        });
      }
    });
    proc.once("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

async function hostsOf(url: string) {
  const signIn = await fetch(`${url}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@switchyard.local", password: PASSWORD }),
  });
  const cookie = (signIn.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
  const res = await fetch(`${url}/api/v1/hosts`, { headers: { cookie } });
  return hostListSchema.parse(await res.json()).hosts;
}

async function waitForOnline(url: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const hosts = await hostsOf(url);
    if (hosts.some((h) => h.status === "online") || Date.now() > deadline) return hosts;
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("the local agent (npm start as root)", () => {
  it("enrolls this machine once, keeps the token out of argv, and comes back with its credential after a restart", async () => {
    const first = await startServer();
    const cmdline = (await readFile(`/proc/${first.agentPid}/cmdline`, "utf8")).split("\0");
    expect(cmdline.some((arg) => arg.startsWith("sye_"))).toBe(false);
    expect(cmdline).not.toContain("--token");
    const hosts = await waitForOnline(first.url);
    expect(hosts).toHaveLength(1);
    expect(hosts[0]).toMatchObject({ name: localHostName(), status: "online" });
    expect(await first.stop()).toBe(0);

    const second = await startServer();
    const again = await waitForOnline(second.url);
    expect(again.map((h) => [h.name, h.status])).toEqual([[localHostName(), "online"]]);
    expect(await second.stop()).toBe(0);
  });
});
