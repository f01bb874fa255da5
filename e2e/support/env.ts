/** Values the global setup hands to tests (through process.env, the only channel Playwright offers). */
export const e2e = {
  get prefix(): string {
    return required("E2E_PREFIX");
  },
  get baseURL(): string {
    return required("E2E_BASE_URL");
  },
  /** The control plane's embedded PostgreSQL (set by the global setup). */
  get databaseUrl(): string {
    return required("E2E_DATABASE_URL");
  },
  get port(): number {
    return Number(required("E2E_PORT"));
  },
  adminEmail: "admin@switchyard.local",
  adminPassword: "e2e-admin-password-1",
};

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e suite with \`npm test -- e2e\` (e2e/run.mjs)`);
  return value;
}
