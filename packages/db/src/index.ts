export { createPrisma } from "./client";
export { type EmbeddedDatabase, type EmbeddedDatabaseOptions, startEmbeddedPostgres } from "./embedded";
export { Prisma, PrismaClient } from "./generated/prisma/client";
export * from "./generated/prisma/enums";
export { DEFAULT_MIGRATIONS_DIR, type MigrationResult, migrate, readMigrations } from "./migrate";
export { openScratchServer, type ScratchServer } from "./scratch";
export { isDatabaseUnavailable } from "./unavailable";
