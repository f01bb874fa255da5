// Public API of @switchyard/db. Implementation in progress (see files beside this one).
export { Prisma, PrismaClient } from "./generated/prisma/client";
export type * from "./generated/prisma/models";
export { createPrisma } from "./client";
export { type EmbeddedDatabase, type EmbeddedDatabaseOptions, startEmbeddedPostgres } from "./embedded";
export { type MigrationResult, migrate } from "./migrate";
