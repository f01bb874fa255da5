import type { Prisma } from "@switchyard/db";

/** Advisory lock key shared by the check's write phase, releases and undos: they never interleave. */
export const LEAK_LOCK_KEY = 727005;

/** Waits for the leak lock until the transaction ends. */
export async function lockLeaks(tx: Prisma.TransactionClient): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LEAK_LOCK_KEY})`;
}

/** Takes the leak lock if nobody holds it (periodic job: another replica is already checking). */
export async function tryLockLeaks(tx: Prisma.TransactionClient): Promise<boolean> {
  const [row] = await tx.$queryRaw<
    { ok: boolean }[]
  >`SELECT pg_try_advisory_xact_lock(${LEAK_LOCK_KEY}) AS ok`;
  return row?.ok === true;
}

/** Interactive transaction limits for a whole check (100,000 allocations fit comfortably). */
export const LEAK_TX = { maxWait: 60_000, timeout: 300_000 } as const;
