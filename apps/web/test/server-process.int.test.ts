import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";

const webDir = path.resolve(import.meta.dirname, "..");
let db: TestDatabase;
let child: ChildProcess | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await db?.drop();
});

it("server.ts prints the URL and one-time password, serves, and exits 0 on SIGTERM", async () => {
  const proc = spawn(process.execPath, ["--import", "tsx", "server.ts", "--no-local-agent"], {
    cwd: webDir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      DATABASE_URL: db.url,
      PORT: "0",
      HOST: "127.0.0.1",
      SWITCHYARD_UI: "false",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = proc;
  let stdout = "";
  let stderr = "";
  proc.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no banner; stdout=${stdout} stderr=${stderr}`)), 30_000);
    proc.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /Switchyard control plane: (http:\/\/\S+)/.exec(stdout);
      if (m?.[1] && /One-time password: \S+/.test(stdout)) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once("exit", (code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  expect(stdout).toContain("Admin account: admin@switchyard.local");
  const password = /One-time password: (\S+)/.exec(stdout)?.[1] ?? "";

  const health = await fetch(`${url}/api/v1/health`);
  expect(health.status).toBe(200);
  const signIn = await fetch(`${url}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@switchyard.local", password }),
  });
  expect(signIn.status).toBe(200);

  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  const started = Date.now();
  proc.kill("SIGTERM");
  expect(await exited).toBe(0);
  expect(Date.now() - started).toBeLessThan(10_000);
});

it("refuses bad configuration with exit code 2, naming the variable", async () => {
  const proc = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: webDir,
    env: { PATH: process.env.PATH, NODE_ENV: "test", PORT: "not-a-port" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  proc.stderr.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => proc.once("exit", (c) => resolve(c)));
  expect(code).toBe(2);
  expect(stderr).toContain("PORT");
});
