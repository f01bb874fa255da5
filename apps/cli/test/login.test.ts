import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ResolvedConfig } from "../src/config";
import { apiError, fakeFetch, invoke, json, type RecordedCall } from "./helpers";

let dir: string;
let config: ResolvedConfig;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "yardctl-login-"));
  config = {
    path: join(dir, "switchyard", "cli.json"),
    url: undefined,
    token: undefined,
    urlSource: "none",
    tokenSource: "none",
    savedTokenId: undefined,
    fileError: undefined,
  };
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const createdToken = {
  id: "t1",
  name: "yardctl@testbox",
  prefix: "syt_abcd",
  createdAt: "2026-11-27T22:00:00Z",
  lastUsedAt: null,
  revokedAt: null,
  token: "syt_abcd_secret",
};

function server(call: RecordedCall): Response {
  if (call.path === "/api/v1/auth/sign-in") {
    return json(
      200,
      { user: { id: "u1", email: "admin@example.com", role: "admin" } },
      { "set-cookie": "sy_session=sess123; Path=/; HttpOnly; SameSite=Lax" },
    );
  }
  if (call.path === "/api/v1/tokens") return json(201, createdToken);
  if (call.path === "/api/v1/auth/sign-out") return json(200, { ok: true });
  return apiError(404, "not_found", "no route");
}

describe("login", () => {
  it("signs in with the password from stdin, creates a token with the session, saves it 0600", async () => {
    const { fetch, calls } = fakeFetch(server);
    const result = await invoke(
      ["login", "--url", "http://yard.test:3000/", "--email", "admin@example.com", "--password-stdin"],
      { config, fetch, stdin: "hunter2\n" },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(calls.map((c) => c.path)).toEqual([
      "/api/v1/auth/sign-in",
      "/api/v1/tokens",
      "/api/v1/auth/sign-out",
    ]);
    expect(calls[2]?.headers.get("cookie")).toBe("sy_session=sess123");
    expect(calls[0]?.body).toEqual({ email: "admin@example.com", password: "hunter2" });
    expect(calls[1]?.headers.get("cookie")).toBe("sy_session=sess123");
    expect(calls[1]?.headers.get("authorization")).toBeNull();
    expect(calls[1]?.body).toEqual({ name: "yardctl@testbox" });
    expect(JSON.parse(await readFile(config.path, "utf8"))).toEqual({
      url: "http://yard.test:3000",
      token: "syt_abcd_secret",
      tokenId: "t1",
    });
    expect((await stat(config.path)).mode & 0o777).toBe(0o600);
    expect(result.stdout).toContain("Logged in to http://yard.test:3000 as admin@example.com");
    expect(result.stdout).not.toContain("secret");
  });

  it("--json prints the token's metadata, never the secret", async () => {
    const { fetch } = fakeFetch(server);
    const result = await invoke(
      ["login", "--json", "--url", "http://y:1", "--email", "a@b", "--password-stdin"],
      { config, fetch, stdin: "pw" },
    );
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({
      url: "http://y:1",
      email: "a@b",
      configPath: config.path,
      token: { id: "t1", name: "yardctl@testbox" },
    });
    expect(result.stdout).not.toContain("syt_abcd_secret");
  });

  it("uses YARD_URL / the saved URL when --url is absent", async () => {
    const { fetch, calls } = fakeFetch(server);
    await invoke(["login", "--email", "a@b", "--password-stdin"], {
      config: { ...config, url: "http://env:9", urlSource: "env" },
      fetch,
      stdin: "pw",
    });
    expect(calls[0]).toBeDefined();
    expect(JSON.parse(await readFile(config.path, "utf8")).url).toBe("http://env:9");
  });

  it("a wrong password exits 1 and saves nothing", async () => {
    const { fetch } = fakeFetch(() => apiError(401, "unauthorized", "wrong email or password"));
    const result = await invoke(["login", "--url", "http://y:1", "--email", "a@b", "--password-stdin"], {
      config,
      fetch,
      stdin: "bad",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: wrong email or password");
    await expect(stat(config.path)).rejects.toThrow(/ENOENT/);
  });

  it("a sign-in without a session cookie is an error", async () => {
    const { fetch } = fakeFetch(() => json(200, { user: { id: "u1", email: "a@b", role: "admin" } }));
    const result = await invoke(["login", "--url", "http://y:1", "--email", "a@b", "--password-stdin"], {
      config,
      fetch,
      stdin: "pw",
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("no sy_session cookie");
  });

  it.each([
    [["login", "--email", "a@b"], "stdin is not a terminal: pass the password with --password-stdin"],
    [["login", "--password-stdin"], "--email is required when stdin is not a terminal"],
    [
      ["login", "--url", "ftp://x", "--email", "a@b", "--password-stdin"],
      "URL must start with http:// or https://, got 'ftp://x'",
    ],
  ])("%j without a terminal is a usage error", async (argv, message) => {
    const { fetch, calls } = fakeFetch(server);
    const result = await invoke(argv, { config, fetch, stdin: "pw" });
    expect(result.code).toBe(2);
    expect(result.stderr.split("\n")[0]).toBe(`error: ${message}`);
    expect(calls).toEqual([]);
  });

  it("an empty stdin is a usage error", async () => {
    const result = await invoke(["login", "--url", "http://y:1", "--email", "a@b", "--password-stdin"], {
      config,
      stdin: "",
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("nothing on stdin");
  });
});
