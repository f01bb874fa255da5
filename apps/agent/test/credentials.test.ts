import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCredential, type StoredCredential, writeCredential } from "../src/credentials";

const cred: StoredCredential = {
  server: "http://cp:3000",
  hostId: "h1",
  hostName: "box1",
  credential: "shc_secret",
  enrolledAt: "2026-01-01T00:00:00.000Z",
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "agent-cred-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("credential store", () => {
  it("writes mode 0600 into created directories, atomically, and reads it back", async () => {
    const path = join(dir, "a", "b", "agent.json");
    await writeCredential(path, cred);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, "a", "b"))).mode & 0o777).toBe(0o700);
    expect(await readdir(join(dir, "a", "b"))).toEqual(["agent.json"]);
    expect(await readCredential(path)).toEqual(cred);
  });

  it("replaces an existing file", async () => {
    const path = join(dir, "agent.json");
    await writeCredential(path, cred);
    await writeCredential(path, { ...cred, credential: "shc_other" });
    expect((await readCredential(path))?.credential).toBe("shc_other");
    expect(await readdir(dir)).toEqual(["agent.json"]);
  });

  it("reads null when there is no file, and fails clearly on a corrupt one", async () => {
    expect(await readCredential(join(dir, "missing.json"))).toBeNull();
    const path = join(dir, "bad.json");
    await writeFile(path, "not json");
    await expect(readCredential(path)).rejects.toThrow(/is not JSON; remove it and enroll again/);
    await writeFile(path, '{"credential": ""}');
    await expect(readCredential(path)).rejects.toThrow(/is invalid/);
  });
});
