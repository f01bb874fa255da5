import type { Prisma, PrismaClient } from "@switchyard/db";

/** What every control-plane service receives: the database and a clock. Config values are passed per call. */
export interface ServiceContext {
  prisma: PrismaClient;
  /** The current time; tests pass a fake clock. */
  now: () => Date;
}

/** Either the client itself or the client inside `$transaction`. */
export type Db = PrismaClient | Prisma.TransactionClient;

export const systemClock = (): Date => new Date();
