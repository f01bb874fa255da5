import { randomBytes } from "node:crypto";
import pg from "pg";
import { createPrisma } from "./client";
import type { PrismaClient } from "./generated/prisma/client";
import { migrate } from "./migrate";

export interface TestDatabase {
  url: string;
  prisma: PrismaClient;
  drop(): Promise<void>;
}

/** Set by packages/db/test/global-setup.ts: DATABASE_URL when given, else an embedded server it started. */
export const TEST_ADMIN_URL_ENV = "SWITCHYARD_TEST_ADMIN_URL";

function adminUrl(): string {
  const url = process.env[TEST_ADMIN_URL_ENV];
  if (!url) {
    throw new Error(
      `${TEST_ADMIN_URL_ENV} is not set: run database tests through vitest's "int" or "net" project (its global setup starts PostgreSQL)`,
    );
  }
  return url;
}

/** A fresh, migrated database on the test PostgreSQL; `drop()` removes it. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const admin = adminUrl();
  const name = `sy_test_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await withClient(admin, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(admin);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  const prisma = createPrisma(url.toString(), { poolSize: 5 });
  return {
    url: url.toString(),
    prisma,
    async drop() {
      await prisma.$disconnect();
      await withClient(admin, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
