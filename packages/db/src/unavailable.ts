/** PostgreSQL SQLSTATEs and socket errors meaning "no database right now" (not a bad query). */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "ETIMEDOUT",
  "EPIPE",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now (starting up, shutting down)
  "08000",
  "08001",
  "08003",
  "08006",
  "P1001", // Prisma: can't reach database server
  "P1017", // Prisma: server closed the connection
  "P2024", // Prisma: timed out fetching a connection from the pool
]);
const UNAVAILABLE_TEXT =
  /ECONNREFUSED|connection terminated|terminating connection|can't reach database|server closed the connection|connection refused|the database system is (starting up|shutting down)/i;

/**
 * Whether an error from Prisma or the pg driver means the database cannot be reached (the server maps it
 * to 503 and callers retry), as opposed to a query that failed. Looks through `cause` chains, where the
 * driver adapter puts the socket's error.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 6; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === "string" && UNAVAILABLE_CODES.has(code)) return true;
    if (typeof message === "string" && UNAVAILABLE_TEXT.test(message)) return true;
    e = cause;
  }
  return false;
}
