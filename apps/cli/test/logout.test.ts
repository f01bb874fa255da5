import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../src/config";
import { apiError, fakeFetch, invoke, json } from "./helpers";

let dir: string;
let path: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "yardctl-logout-"));
  path = join(dir, "switchyard", "cli.json");
  await mkdir(join(dir, "switchyard"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("logout", () => {
  it("revokes the saved token and forgets it, keeping the URL", async () => {
    await writeFile(path, JSON.stringify({ url: "http://y:1", token: "syt_x", tokenId: "t9" }));
    const config = await resolveConfig({ XDG_CONFIG_HOME: dir }, "/");
    const revoked = {
      id: "t9",
      name: "yardctl@x",
      prefix: "syt_",
      createdAt: "",
      lastUsedAt: null,
      revokedAt: "",
    };
    const { fetch, calls } = fakeFetch(() => json(200, revoked));
    const result = await invoke(["logout"], { config, fetch });
    expect(calls[0]).toMatchObject({ method: "DELETE", path: "/api/v1/tokens/t9" });
    expect(calls[0]?.headers.get("authorization")).toBe("Bearer syt_x");
    expect(result).toMatchObject({ code: 0, stdout: "Logged out; the token was revoked.\n" });
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ url: "http://y:1" });
  });

  it("forgets a token the server no longer knows", async () => {
    await writeFile(path, JSON.stringify({ url: "http://y:1", token: "syt_x", tokenId: "t9" }));
    const config = await resolveConfig({ XDG_CONFIG_HOME: dir }, "/");
    const { fetch } = fakeFetch(() => apiError(401, "unauthorized", "API token is invalid or revoked"));
    const result = await invoke(["logout", "--json"], { config, fetch });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ revoked: false, removed: true, configPath: path });
  });

  it("does nothing when not logged in", async () => {
    const config = await resolveConfig({ XDG_CONFIG_HOME: dir }, "/");
    const result = await invoke(["logout"], { config });
    expect(result).toMatchObject({ code: 0, stdout: "Not logged in; nothing to do.\n" });
  });
});
