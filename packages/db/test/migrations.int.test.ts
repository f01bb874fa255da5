import { execFile } from "node:child_process";
import { promisify } from "node:util";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { readMigrations } from "../src/migrate";
import { createTestDatabase } from "../src/testing";

const run = promisify(execFile);

describe("migrations", () => {
  it("produce exactly what prisma/schema.prisma describes (the Wasm schema engine finds no difference)", async () => {
    // The engine needs --experimental-wasm-modules, which vitest's workers don't have: run the checker as a child.
    const result = await run("npm", ["run", "-s", "db:migration", "--", "--check"], {
      env: { ...process.env, DATABASE_URL: process.env.SWITCHYARD_TEST_ADMIN_URL },
      timeout: 120_000,
    }).catch((error: { stdout?: string; stderr?: string; code?: number }) => error);
    expect(result.stderr ?? "").not.toMatch(/differ/);
    expect(result.stdout).toContain("migrations match prisma/schema.prisma");
  });

  it("are recorded in _prisma_migrations as prisma migrate deploy records them, and re-running applies nothing", async () => {
    const db = await createTestDatabase();
    try {
      const client = new pg.Client({ connectionString: db.url });
      await client.connect();
      const rows = await client.query<{ migration_name: string; checksum: string; finished_at: Date | null }>(
        `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
      );
      await client.end();
      const files = await readMigrations();
      expect(rows.rows.map((r) => [r.migration_name, r.checksum])).toEqual(
        files.map((f) => [f.name, f.checksum]),
      );
      expect(rows.rows.every((r) => r.finished_at !== null)).toBe(true);
      const { migrate } = await import("../src/migrate");
      expect((await migrate(db.url)).applied).toEqual([]);
    } finally {
      await db.drop();
    }
  });
});
