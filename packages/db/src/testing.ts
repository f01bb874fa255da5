import type { PrismaClient } from "./generated/prisma/client";

export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

/** A fresh, migrated database on the test PostgreSQL (DATABASE_URL, or the embedded one the vitest global setup starts). */
export async function createTestDatabase(): Promise<TestDatabase> {
  throw new Error("not implemented yet");
}
