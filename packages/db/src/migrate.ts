export interface MigrationResult {
  applied: string[];
}

/** Applies prisma/migrations/* in order, recording each in _prisma_migrations as Prisma does. */
export async function migrate(_databaseUrl: string): Promise<MigrationResult> {
  throw new Error("not implemented yet");
}
