import { createAdapter } from "@socket.io/postgres-adapter";
import pg from "pg";
import type { Server } from "socket.io";
import type { Logger } from "./logger";

/**
 * The table @socket.io/postgres-adapter keeps payloads too big for NOTIFY in. Kept out of the
 * Prisma schema on purpose: it belongs to the adapter, not to the domain.
 */
async function ensureSocketIoAttachmentsTable(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE IF NOT EXISTS socket_io_attachments (
      id          bigserial UNIQUE,
      created_at  timestamptz DEFAULT NOW(),
      payload     bytea
    )`);
}

/**
 * Lets several control-plane replicas on one PostgreSQL share socket.io broadcasts, rooms and
 * `disconnectSockets`. Returns the pool to end after `io.close()`.
 */
export async function attachPostgresAdapter(
  io: Server,
  databaseUrl: string,
  logger: Logger,
): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  pool.on("error", (err) => logger.error({ err }, "socket.io adapter pool error"));
  await ensureSocketIoAttachmentsTable(pool);
  io.adapter(
    createAdapter(pool, {
      errorHandler: (err) => logger.error({ err }, "socket.io postgres adapter error"),
    }),
  );
  return pool;
}
