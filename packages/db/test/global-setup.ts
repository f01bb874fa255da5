import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres } from "../src/embedded";
import { TEST_ADMIN_URL_ENV } from "../src/testing";

/**
 * One PostgreSQL for the whole run: the server at DATABASE_URL when given (its `postgres`
 * database is used to create one database per test file), else an embedded one in a temp dir.
 */
export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = "/postgres";
    process.env[TEST_ADMIN_URL_ENV] = url.toString();
    return async () => {};
  }
  // The postgres system user must be able to reach the data dir: /tmp is world-traversable.
  const dataDir = await mkdtemp(join(tmpdir(), "sy-test-pg-"));
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const db = await startEmbeddedPostgres({ dataDir, port });
  process.env[TEST_ADMIN_URL_ENV] = db.adminUrl;
  return async () => {
    await db.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
