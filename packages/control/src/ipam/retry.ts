/**
 * SQLSTATEs worth retrying the whole transaction for: serialization failure, deadlock, and unique
 * violations (another process took the row between our read and our write).
 */
const RETRYABLE = new Set(["40001", "40P01", "23505"]);

/** Finds a PostgreSQL SQLSTATE anywhere in a Prisma / driver-adapter error chain. */
export function sqlStateOf(err: unknown, depth = 0): string | null {
  if (depth > 6 || err === null || typeof err !== "object") return null;
  const rec = err as Record<string, unknown>;
  // Prisma's own codes and @prisma/adapter-pg's error kinds (it drops the SQLSTATE for these).
  if (rec.code === "P2034" || rec.kind === "TransactionWriteConflict") return "40001";
  if (rec.code === "P2002" || rec.kind === "UniqueConstraintViolation") return "23505";
  for (const key of ["originalCode", "code"]) {
    const v = rec[key];
    if (typeof v === "string" && /^[0-9A-Z]{5}$/.test(v) && !v.startsWith("P")) return v;
  }
  for (const key of ["cause", "meta", "driverAdapterError", "error"]) {
    const found = sqlStateOf(rec[key], depth + 1);
    if (found) return found;
  }
  const message = typeof rec.message === "string" ? rec.message : "";
  if (/deadlock detected/i.test(message)) return "40P01";
  if (/could not serialize|write conflict or a deadlock/i.test(message)) return "40001";
  if (/unique constraint|duplicate key/i.test(message)) return "23505";
  return null;
}

export const isRetryable = (err: unknown): boolean => {
  const state = sqlStateOf(err);
  return state !== null && RETRYABLE.has(state);
};

/** Deadlock or serialization failure only: for transactions whose unique violations mean something. */
export const isTransactionConflict = (err: unknown): boolean => {
  const state = sqlStateOf(err);
  return state === "40001" || state === "40P01";
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `fn` again (up to `attempts` times, with jittered backoff) when it fails with an error
 * `retryable` accepts (by default: serialization failure, deadlock, unique violation).
 */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  attempts = 12,
  retryable: (err: unknown) => boolean = isRetryable,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (attempt >= attempts || !retryable(err)) throw err;
      await sleep(Math.random() * Math.min(200, 5 * 2 ** attempt));
    }
  }
}
