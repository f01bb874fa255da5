import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { createdHostSchema, hostDetailSchema } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { staleInput } from "../../../scripts/bundle/fresh.mjs";
import { loadConfig } from "../../web/src/server/config";
import { type ControlPlane, startControlPlane } from "../../web/src/server/control-plane";
import { BIN, runYardctl } from "./bundle";

const ADMIN = { email: "admin@cli.test", password: "correct horse battery staple" };

let db: TestDatabase;
let plane: ControlPlane;
let home: string;

/** The real yardctl binary with this file's private HOME. */
const yardctl = (args: readonly string[], options?: { stdin?: string; env?: Record<string, string> }) =>
  runYardctl(home, args, options);

beforeAll(async () => {
  db = await createTestDatabase();
  home = await mkdtemp(join(tmpdir(), "yardctl-int-"));
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: db.url,
    SWITCHYARD_DATA_DIR: join(home, "data"),
    SWITCHYARD_UI: "false",
    SOCKET_ADAPTER: "memory",
    LOG_LEVEL: "silent",
    SWITCHYARD_ADMIN_EMAIL: ADMIN.email,
    SWITCHYARD_ADMIN_PASSWORD: ADMIN.password,
  });
  plane = await startControlPlane(config);
});

afterAll(async () => {
  await plane?.close();
  await db?.drop();
  if (home) await rm(home, { recursive: true, force: true });
});

describe("yardctl against a real control plane", () => {
  let token = "";

  it("is the bundle the package bin names, current with its sources", async () => {
    const pkg = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
    expect(fileURLToPath(new URL(`../${pkg.bin.yardctl}`, import.meta.url))).toBe(BIN);
    expect(staleInput(BIN)).toBeNull();
    const result = await yardctl(["--version"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^yardctl \S+ \(protocol [\d.]+\)\n$/);
  });

  it("logs in with the password on stdin and saves url and token with mode 0600", async () => {
    const result = await yardctl(["login", "--url", plane.url, "--email", ADMIN.email, "--password-stdin"], {
      stdin: `${ADMIN.password}\n`,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${plane.url} as ${ADMIN.email}`);
    const path = join(home, "config", "switchyard", "cli.json");
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(await readFile(path, "utf8"));
    expect(saved.url).toBe(plane.url);
    token = saved.token;
    expect(token).toMatch(/\S{16,}/);

    const tokens = await fetch(`${plane.url}/api/v1/tokens`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = (await tokens.json()) as { tokens: { name: string }[] };
    expect(body.tokens.map((t) => t.name)).toContain(`yardctl@${hostname()}`);
  });

  it("refuses a wrong password with exit 1 and no stdout", async () => {
    const result = await yardctl(["login", "--url", plane.url, "--email", ADMIN.email, "--password-stdin"], {
      stdin: "wrong\n",
      env: { XDG_CONFIG_HOME: join(home, "other") },
    });
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toMatch(/^error: /);
    await expect(stat(join(home, "other", "switchyard", "cli.json"))).rejects.toThrow(/ENOENT/);
  });

  it("whoami shows the admin", async () => {
    const result = await yardctl(["whoami", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ email: ADMIN.email, role: "admin" });
  });

  it("creates a host and prints its enrollment token and the agent command", async () => {
    const result = await yardctl(["hosts", "create", "web-1", "--description", "front end"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const enrollment = /--token (\S+)/.exec(result.stdout)?.[1];
    expect(enrollment).toBeDefined();
    expect(result.stdout).toContain(`switchyard-agent --server ${plane.url} --token ${enrollment}\n`);
    expect(result.stdout).toContain(`  ${enrollment}\n`);
  });

  it("creates a host with --json: the API's CreatedHost and nothing else", async () => {
    const result = await yardctl(["hosts", "create", "web-2", "--json"]);
    expect(result.code).toBe(0);
    const created = createdHostSchema.parse(JSON.parse(result.stdout));
    expect(created.host).toMatchObject({ name: "web-2", status: "pending" });
    expect(created.enrollment.token.length).toBeGreaterThan(10);
  });

  it("a duplicate or invalid name fails with exit 1 and the API's message", async () => {
    const dup = await yardctl(["hosts", "create", "web-1"]);
    expect(dup).toMatchObject({ code: 1, stdout: "" });
    expect(dup.stderr).toMatch(/^error: .*web-1/);
    const bad = await yardctl(["hosts", "create", "bad name!"]);
    expect(bad).toMatchObject({ code: 1, stdout: "" });
    expect(bad.stderr).toMatch(/^error: .*\(field: name\)\n$/);
  });

  it("lists hosts as a table and as JSON", async () => {
    const table = await yardctl(["hosts", "ls"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME +STATUS +HOSTNAME +AGENT +LAST SEEN +DESCRIPTION$/);
    expect(lines.find((l) => l.startsWith("web-1 "))).toMatch(/^web-1 +pending +- +- +- +front end$/);
    expect(lines.find((l) => l.startsWith("web-2 "))).toMatch(/^web-2 +pending/);
    // Aligned: every row's STATUS column starts where the header's does.
    const col = lines[0]?.indexOf("STATUS");
    for (const line of lines.slice(1)) expect(line.slice(col).startsWith("pending")).toBe(true);

    const json = await yardctl(["--json", "hosts", "ls"]);
    const body = JSON.parse(json.stdout) as { hosts: { name: string }[] };
    expect(body.hosts.map((h) => h.name).sort()).toEqual(["web-1", "web-2"]);
  });

  it("shows a host in human and JSON form", async () => {
    const human = await yardctl(["hosts", "show", "web-1"]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^Name: +web-1$/m);
    expect(human.stdout).toMatch(/^Status: +pending$/m);
    expect(human.stdout).toMatch(/^Description: +front end$/m);
    expect(human.stdout).toMatch(/^Inventory: +none yet$/m);

    const json = await yardctl(["hosts", "show", "web-1", "--json"]);
    const detail = hostDetailSchema.parse(JSON.parse(json.stdout));
    expect(detail).toMatchObject({ name: "web-1", description: "front end", inventory: null });
  });

  it("revokes a host", async () => {
    const result = await yardctl(["hosts", "revoke", "web-2", "--reason", "test"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Revoked host web-2 /);
    const json = await yardctl(["hosts", "show", "web-2", "--json"]);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: "web-2", status: "revoked" });
    const again = await yardctl(["hosts", "revoke", "web-2", "--json"]);
    expect(again.stdout === "" || JSON.parse(again.stdout).status === "revoked").toBe(true);
  });

  it("an unknown host is exit 1 with a clear message", async () => {
    for (const args of [
      ["hosts", "show", "nope"],
      ["hosts", "revoke", "nope"],
      ["hosts", "show", "nope", "--json"],
    ]) {
      const result = await yardctl(args);
      expect(result).toMatchObject({ code: 1, stdout: "" });
      expect(result.stderr).toMatch(/^error: .*(nope|not found)/i);
    }
  });

  it("a usage error is exit 2 with usage on stderr, before any request", async () => {
    for (const args of [["hosts", "frob"], ["hosts", "show"], ["hosts", "ls", "--bogus"], []]) {
      const result = await yardctl(args);
      expect(result).toMatchObject({ code: 2, stdout: "" });
      expect(result.stderr).toMatch(/^error: /);
      expect(result.stderr).toContain("Usage: yardctl");
    }
  });

  it("a bad token is exit 1 with 'unauthorized'", async () => {
    const result = await yardctl(["hosts", "ls"], { env: { YARD_TOKEN: "syt_not_a_real_token" } });
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toContain("unauthorized");
  });

  it("YARD_URL and YARD_TOKEN work without a config file", async () => {
    const result = await yardctl(["hosts", "ls", "--json"], {
      env: { XDG_CONFIG_HOME: join(home, "empty"), YARD_URL: plane.url, YARD_TOKEN: token },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).hosts).toHaveLength(2);
    const none = await yardctl(["hosts", "ls"], { env: { XDG_CONFIG_HOME: join(home, "empty") } });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("not logged in");
  });

  it("issues a new enrollment token for a host", async () => {
    const result = await yardctl(["hosts", "token", "web-1", "--json"]);
    expect(result.code).toBe(0);
    expect(createdHostSchema.parse(JSON.parse(result.stdout)).host.name).toBe("web-1");
  });

  it("health needs no token", async () => {
    const result = await yardctl(["health", "--url", plane.url], {
      env: { XDG_CONFIG_HOME: join(home, "empty") },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Status: +ok$/m);
  });

  it("tokens ls shows the CLI's token; logout revokes it", async () => {
    const list = await yardctl(["tokens", "ls"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(
      new RegExp(`^\\S+ \\* +yardctl@${hostname().replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} .* active$`, "m"),
    );

    const logout = await yardctl(["logout"]);
    expect(logout).toMatchObject({ code: 0, stdout: "Logged out; the token was revoked.\n" });
    const after = await yardctl(["hosts", "ls"]);
    expect(after.code).toBe(1);
    expect(after.stderr).toContain("not logged in");
    const revoked = await yardctl(["hosts", "ls"], { env: { YARD_TOKEN: token } });
    expect(revoked.code).toBe(1);
    expect(revoked.stderr).toContain("unauthorized");
  });

  it("an unreachable server is exit 1", async () => {
    const result = await yardctl(["hosts", "ls"], {
      env: { YARD_URL: "http://127.0.0.1:9", YARD_TOKEN: "syt_x" },
    });
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toContain("error: cannot reach http://127.0.0.1:9");
  });
});
