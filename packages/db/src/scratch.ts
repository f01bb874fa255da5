import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startEmbeddedPostgres } from "./embedded";

export interface ScratchServer {
  /** URL of the server's `postgres` database, to create throw-away databases from. */
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * A PostgreSQL server for tests, benchmarks and the migration writer: the one at `databaseUrl` when
 * given (nothing to stop), else an embedded one in a temporary directory, removed on stop.
 */
export async function openScratchServer(
  databaseUrl: string | undefined,
  label: string,
): Promise<ScratchServer> {
  if (databaseUrl) {
    const url = new URL(databaseUrl);
    url.pathname = "/postgres";
    return { adminUrl: url.toString(), stop: async () => {} };
  }
  const parent = await mkdtemp(join(tmpdir(), `sy-${label}-`));
  // The postgres user must be able to reach its data directory below this one.
  await chmod(parent, 0o755);
  const db = await startEmbeddedPostgres({
    dataDir: join(parent, "pg"),
    port: 20_000 + Math.floor(Math.random() * 20_000),
  });
  return {
    adminUrl: db.adminUrl,
    stop: async () => {
      await db.stop();
      await rm(parent, { recursive: true, force: true });
    },
  };
}
