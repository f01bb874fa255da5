import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { configPath, normalizeServerUrl, resolveConfig, saveConfig } from "../src/config";
import { UsageError } from "../src/errors";
import { invoke } from "./helpers";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "yardctl-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeFileConfig(content: string): Promise<string> {
  const path = join(dir, "switchyard", "cli.json");
  await mkdir(join(dir, "switchyard"), { recursive: true });
  await writeFile(path, content);
  return path;
}

describe("configPath", () => {
  it("uses XDG_CONFIG_HOME, else ~/.config", () => {
    expect(configPath({ XDG_CONFIG_HOME: "/x/conf" }, "/home/u")).toBe("/x/conf/switchyard/cli.json");
    expect(configPath({}, "/home/u")).toBe("/home/u/.config/switchyard/cli.json");
    expect(configPath({ XDG_CONFIG_HOME: "relative" }, "/home/u")).toBe(
      "/home/u/.config/switchyard/cli.json",
    );
  });
});

describe("resolveConfig", () => {
  it("reads the file", async () => {
    await writeFileConfig(JSON.stringify({ url: "http://file:3000", token: "syt_file" }));
    const config = await resolveConfig({ XDG_CONFIG_HOME: dir }, "/nowhere");
    expect(config).toMatchObject({
      url: "http://file:3000",
      token: "syt_file",
      urlSource: "file",
      tokenSource: "file",
    });
  });

  it("YARD_URL and YARD_TOKEN override the file, each on its own", async () => {
    await writeFileConfig(JSON.stringify({ url: "http://file:3000", token: "syt_file" }));
    const both = await resolveConfig(
      { XDG_CONFIG_HOME: dir, YARD_URL: "http://env:1", YARD_TOKEN: "syt_env" },
      "/",
    );
    expect(both).toMatchObject({
      url: "http://env:1",
      token: "syt_env",
      urlSource: "env",
      tokenSource: "env",
    });
    const tokenOnly = await resolveConfig({ XDG_CONFIG_HOME: dir, YARD_TOKEN: "syt_env" }, "/");
    expect(tokenOnly).toMatchObject({
      url: "http://file:3000",
      token: "syt_env",
      urlSource: "file",
      tokenSource: "env",
    });
    const empty = await resolveConfig({ XDG_CONFIG_HOME: dir, YARD_URL: "" }, "/");
    expect(empty.url).toBe("http://file:3000");
  });

  it("works from the environment alone when there is no file", async () => {
    const config = await resolveConfig(
      { XDG_CONFIG_HOME: dir, YARD_URL: "http://env:1", YARD_TOKEN: "t" },
      "/",
    );
    expect(config).toMatchObject({ url: "http://env:1", token: "t", fileError: undefined });
    const none = await resolveConfig({ XDG_CONFIG_HOME: dir }, "/");
    expect(none).toMatchObject({ url: undefined, token: undefined, urlSource: "none", fileError: undefined });
  });

  it("reports a broken file when a command needs it", async () => {
    await writeFileConfig("{not json");
    const config = await resolveConfig({ XDG_CONFIG_HOME: dir }, "/");
    expect(config.fileError).toContain("cannot read");
    const result = await invoke(["hosts", "ls"], { config });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("not logged in (cannot read");
  });
});

describe("saveConfig", () => {
  it("writes mode 0600 in a 0700 directory, replacing a looser file", async () => {
    const path = await writeFileConfig("{}");
    const { chmod } = await import("node:fs/promises");
    await chmod(path, 0o644);
    await saveConfig(path, { url: "http://a:1", token: "syt_secret" });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ url: "http://a:1", token: "syt_secret" });
  });

  it("creates the directory with mode 0700", async () => {
    const path = configPath({ XDG_CONFIG_HOME: join(dir, "fresh") }, "/");
    await saveConfig(path, { url: "http://a:1", token: "t" });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "fresh", "switchyard"))).mode & 0o777).toBe(0o700);
  });
});

describe("normalizeServerUrl", () => {
  it("drops a trailing slash and refuses non-http URLs", () => {
    expect(normalizeServerUrl("http://h:3000/")).toBe("http://h:3000");
    expect(normalizeServerUrl("https://yard.example/base/")).toBe("https://yard.example/base");
    expect(() => normalizeServerUrl("h:3000")).toThrow(UsageError);
    expect(() => normalizeServerUrl("nope")).toThrow(UsageError);
  });
});
