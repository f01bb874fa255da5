// The real yardctl bundle against a real control plane: an admin adds a user with a one-time password,
// the user changes it with `yardctl passwd` (possible before any token exists), the admin changes its
// role and deletes it, `audit ls` shows it all, and a read-only token is refused a change.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../../web/src/server/config";
import { type ControlPlane, startControlPlane } from "../../web/src/server/control-plane";
import { runYardctl } from "./bundle";

const ADMIN = { email: "admin@users.test", password: "admin-password-for-users" };

let db: TestDatabase;
let plane: ControlPlane;
let home: string;

const yardctl = (args: readonly string[], options?: { stdin?: string; env?: Record<string, string> }) =>
  runYardctl(home, args, options);

beforeAll(async () => {
  db = await createTestDatabase();
  home = await mkdtemp(join(tmpdir(), "yardctl-users-"));
  plane = await startControlPlane(
    loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: db.url,
      SWITCHYARD_DATA_DIR: join(home, "data"),
      SWITCHYARD_UI: "false",
      SOCKET_ADAPTER: "memory",
      LOG_LEVEL: "silent",
      SWITCHYARD_ADMIN_EMAIL: ADMIN.email,
      SWITCHYARD_ADMIN_PASSWORD: ADMIN.password,
    }),
  );
  const login = await yardctl(["login", "--url", plane.url, "--email", ADMIN.email, "--password-stdin"], {
    stdin: `${ADMIN.password}\n`,
  });
  expect(login.code).toBe(0);
});

afterAll(async () => {
  await plane?.close();
  await db?.drop();
  if (home) await rm(home, { recursive: true, force: true });
});

it("users add, passwd with the one-time password, role, rm, audit ls", async () => {
  const added = await yardctl(["users", "add", "ops@users.test", "--role", "operator", "--json"]);
  expect(added.code).toBe(0);
  const otp = (JSON.parse(added.stdout) as { oneTimePassword: string }).oneTimePassword;
  expect(otp).toMatch(/^[\w-]{20}$/);

  // The new user has no token yet (a one-time password allows nothing but its change).
  const other = { XDG_CONFIG_HOME: join(home, "ops") };
  const refused = await yardctl(
    ["login", "--url", plane.url, "--email", "ops@users.test", "--password-stdin"],
    {
      stdin: `${otp}\n`,
      env: other,
    },
  );
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("one-time password");
  const passwd = await yardctl(
    ["passwd", "--url", plane.url, "--email", "ops@users.test", "--password-stdin"],
    { stdin: `${otp}\nops-own-password-1\n`, env: other },
  );
  expect(passwd).toMatchObject({ code: 0, stdout: "Password of ops@users.test changed.\n" });
  const login = await yardctl(
    ["login", "--url", plane.url, "--email", "ops@users.test", "--password-stdin"],
    {
      stdin: "ops-own-password-1\n",
      env: other,
    },
  );
  expect(login.code).toBe(0);

  const listed = await yardctl(["users", "ls"]);
  expect(listed.stdout).toMatch(/ops@users\.test\s+operator\s+active/);
  expect((await yardctl(["users", "role", "ops@users.test", "viewer"])).stdout).toBe(
    "ops@users.test is now viewer.\n",
  );
  const last = await yardctl(["users", "role", ADMIN.email, "viewer"]);
  expect(last.code).toBe(1);
  expect(last.stderr).toContain("last active admin");
  expect((await yardctl(["users", "rm", "ops@users.test"])).code).toBe(0);

  const audit = await yardctl(["audit", "ls", "--kind", "user", "--since", "1h", "--json"]);
  expect(audit.code).toBe(0);
  const actions = (JSON.parse(audit.stdout) as { events: { action: string }[] }).events.map((e) => e.action);
  expect(actions).toEqual([
    "user.delete",
    "user.role",
    "user.password_change",
    "user.create",
    "user.bootstrap_admin",
  ]);
});

it("a read-only token made with tokens create lists but cannot change anything", async () => {
  const created = await yardctl([
    "tokens",
    "create",
    "dashboard",
    "--read-only",
    "--expires",
    "1d",
    "--json",
  ]);
  expect(created.code).toBe(0);
  const { token, scope, expiresAt } = JSON.parse(created.stdout) as {
    token: string;
    scope: string;
    expiresAt: string;
  };
  expect(scope).toBe("read_only");
  expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(23 * 3_600_000);
  const env = { YARD_URL: plane.url, YARD_TOKEN: token };
  expect((await yardctl(["hosts", "ls"], { env })).code).toBe(0);
  const refused = await yardctl(["hosts", "create", "ro-host"], { env });
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain("read_only");
});
