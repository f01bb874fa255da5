/**
 * Writes and checks Prisma migrations offline (Prisma 7's CLI needs a native engine that cannot be
 * downloaded here), with the Wasm schema engine against a scratch database:
 *
 *   npm run db:migration -- NAME     diff (migrations applied) -> schema; write prisma/migrations/<ts>_NAME
 *   npm run db:migration -- --check  exit 2 and print the SQL when migrations and schema differ
 *
 * Needs node --experimental-wasm-modules (the root script passes it).
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { SchemaEngine } from "@prisma/schema-engine-wasm";
import pg from "pg";
import { DEFAULT_MIGRATIONS_DIR, migrate } from "../src/migrate";
import { openScratchServer } from "../src/scratch";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SCHEMA_PATH = join(ROOT, "prisma/schema.prisma");
const EMPTY_MIGRATION = "-- This is an empty migration.";

// The engine's introspection cannot deserialize "char" (18) and name (19) columns of the catalog;
// relabelling them as text (25) is harmless for a diff. The adapter calls pool.query(config) only.
function relabelCatalogTypes(pool: pg.Pool): pg.Pool {
  const query = pool.query.bind(pool) as (config: pg.QueryConfig) => Promise<pg.QueryResult>;
  const patched = async (config: pg.QueryConfig) => {
    const res = await query(config);
    for (const field of res.fields ?? []) {
      if (field.dataTypeID === 18 || field.dataTypeID === 19) field.dataTypeID = 25;
    }
    return res;
  };
  Object.assign(pool, { query: patched });
  return pool;
}

async function withScratchDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  const server = await openScratchServer(process.env.DATABASE_URL, "migration-pg");
  const adminUrl = server.adminUrl;
  const stop = () => server.stop();
  const name = `sy_migration_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    return await fn(url.toString());
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
    await stop();
  }
}

/** SQL that takes a database with every existing migration applied to what schema.prisma describes. */
export async function diffMigrationsToSchema(): Promise<string> {
  const schema = await readFile(SCHEMA_PATH, "utf8");
  return withScratchDatabase(async (url) => {
    await migrate(url);
    const pool = relabelCatalogTypes(new pg.Pool({ connectionString: url }));
    try {
      const engine = await SchemaEngine.new(
        { datamodels: [[SCHEMA_PATH, schema]] },
        () => {},
        bindMigrationAwareSqlAdapterFactory(new PrismaPg(pool)),
      );
      const files = [{ path: SCHEMA_PATH, content: schema }];
      const result = await engine.diff({
        from: { tag: "schemaDatasource", files, configDir: ROOT },
        to: { tag: "schemaDatamodel", files },
        script: true,
        exitCode: null,
        filters: { externalTables: [], externalEnums: [] },
      });
      return (result.stdout ?? "").trim();
    } finally {
      await pool.end();
    }
  });
}

async function main(): Promise<void> {
  const arg = process.argv[2];
  if (!arg) {
    console.error("usage: npm run db:migration -- NAME | --check");
    process.exit(2);
  }
  const sql = await diffMigrationsToSchema();
  const empty = sql === "" || sql === EMPTY_MIGRATION;
  if (arg === "--check") {
    if (empty) {
      console.log("migrations match prisma/schema.prisma");
      return;
    }
    console.log(sql);
    console.error("prisma/schema.prisma and prisma/migrations differ: run `npm run db:migration -- NAME`");
    process.exit(2);
  }
  if (!/^[a-z0-9_]+$/.test(arg)) {
    console.error("migration name: lowercase letters, digits and _");
    process.exit(2);
  }
  if (empty) {
    console.log("nothing to migrate: schema and migrations agree");
    return;
  }
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const file = join(DEFAULT_MIGRATIONS_DIR, `${stamp}_${arg}`, "migration.sql");
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${sql}\n`);
  console.log(`wrote ${file}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
