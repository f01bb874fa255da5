import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { PASSWORD_FILE, startEmbeddedPostgres } from "../src/embedded";

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

  it("generates the superuser's password at first start (0600 file), and rotates a legacy shared one", async () => {
    const parent = await mkdtemp(join(tmpdir(), "sy-embedded-pw-"));
    dirs.push(parent);
    await chmod(parent, 0o755);
    const dataDir = join(parent, "pg");
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const canConnect = async (password: string) => {
      const client = new pg.Client({
        host: "127.0.0.1",
        port,
        user: "postgres",
        password,
        database: "postgres",
      });
      return client.connect().then(
        async () => {
          await client.end();
          return true;
        },
        () => false,
      );
    };
    const first = await startEmbeddedPostgres({ dataDir, port });
    let password = "";
    try {
      const file = join(dataDir, PASSWORD_FILE);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      password = (await readFile(file, "utf8")).trim();
      expect(password.length).toBeGreaterThanOrEqual(24);
      expect(decodeURIComponent(new URL(first.url).password)).toBe(password);
      expect(await canConnect("switchyard")).toBe(false);
      expect(await canConnect(password)).toBe(true);
      // Make it look like a cluster from before: the shared password and no file.
      const client = new pg.Client({ connectionString: first.adminUrl });
      await client.connect();
      await client.query("ALTER ROLE postgres PASSWORD 'switchyard'");
      await client.end();
      await rm(file);
    } finally {
      await first.stop();
    }
    const again = await startEmbeddedPostgres({ dataDir, port });
    try {
      const rotated = (await readFile(join(dataDir, PASSWORD_FILE), "utf8")).trim();
      expect(rotated).not.toBe(password);
      expect(await canConnect("switchyard")).toBe(false);
      expect(await canConnect(rotated)).toBe(true);
      const client = new pg.Client({ connectionString: again.url });
      await client.connect();
      await client.end();
    } finally {
      await again.stop();
    }
  });

  it("refuses a relative data directory", async () => {
    await expect(startEmbeddedPostgres({ dataDir: "relative/dir", port: 1 })).rejects.toThrow(/absolute/);
  });
});
