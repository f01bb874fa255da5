export interface EmbeddedDatabaseOptions {
  /** Absolute directory holding the cluster (created on first start). */
  dataDir: string;
  port: number;
  onLog?: (line: string) => void;
}

export interface EmbeddedDatabase {
  /** postgresql:// URL of the `switchyard` database. */
  url: string;
  /** URL of the `postgres` maintenance database (to create test databases). */
  adminUrl: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(_options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  throw new Error("not implemented yet");
}
