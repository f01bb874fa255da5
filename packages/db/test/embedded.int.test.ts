import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../src/embedded";

const STARTER = new URL("./fixtures/start-embedded.ts", import.meta.url).pathname;

describe("embedded PostgreSQL", () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("starts again after its previous owner was killed with SIGKILL (orphaned postgres, stale postmaster.pid)", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "sy-embedded-"));
    dirs.push(dataDir);
    const port = 20_000 + Math.floor(Math.random() * 20_000);

    // A first owner starts the cluster, writes a row, then dies without cleaning up.
    // node itself, not the tsx wrapper: SIGKILL must hit the process that owns postgres.
    const child = spawn(process.execPath, ["--import", "tsx", STARTER, dataDir, String(port)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("READY") && resolve());
      child.on("exit", (code) => reject(new Error(`starter exited ${code}`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const stalePid = Number((await readFile(join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
    expect(stalePid).toBeGreaterThan(0);

    const db = await startEmbeddedPostgres({ dataDir, port });
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const rows = await client.query("SELECT note FROM survivor");
      await client.end();
      expect(rows.rows).toEqual([{ note: "written before the crash" }]);
      const pidNow = Number((await readFile(join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
      expect(pidNow).not.toBe(stalePid);
    } finally {
      await db.stop();
    }
    // A clean stop removes the pid file.
    await expect(readFile(join(dataDir, "postmaster.pid"), "utf8")).rejects.toThrow();
  });

  it("refuses a relative data directory", async () => {
    await expect(startEmbeddedPostgres({ dataDir: "relative/dir", port: 1 })).rejects.toThrow(/absolute/);
  });
});
