import { openScratchServer } from "../src/scratch";
import { TEST_ADMIN_URL_ENV } from "../src/testing";

/**
 * One PostgreSQL for the whole run: the server at DATABASE_URL when given (its `postgres`
 * database is used to create one database per test file), else an embedded one in a temp dir.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const server = await openScratchServer(process.env.DATABASE_URL, "test-pg");
  process.env[TEST_ADMIN_URL_ENV] = server.adminUrl;
  return () => server.stop();
}
