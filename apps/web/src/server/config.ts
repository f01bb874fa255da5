import path from "node:path";
import { parseDuration } from "@switchyard/protocol";
import { z } from "zod";
import { type SitePolicy, sitePolicy } from "./api/same-site";

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const ms = parseDuration(s);
      if (ms === null || ms <= 0) {
        ctx.addIssue({ code: "custom", message: `not a duration (e.g. 500ms, 30s, 15m, 24h, 7d): ${s}` });
        return z.NEVER;
      }
      return ms;
    });

/** Like `duration` but 0 is allowed ("0" or "0s": no grace). */
const durationOrZero = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s, ctx) => {
      const ms = parseDuration(s);
      if (ms === null || ms < 0) {
        ctx.addIssue({ code: "custom", message: `not a duration (e.g. 0, 500ms, 30s, 15m, 24h): ${s}` });
        return z.NEVER;
      }
      return ms;
    });

const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no", "on", "off", ""])
    .optional()
    .transform((s) => (s === undefined || s === "" ? fallback : ["true", "1", "yes", "on"].includes(s)));

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);

/** `example.com`, `10.0.0.1:3000`, `[::1]:3000`: what URL parsing keeps as a host unchanged. */
function isHostAndPort(value: string): boolean {
  try {
    const url = new URL(`http://${value}`);
    return url.host === value || `${url.host}:80` === value;
  } catch {
    return false;
  }
}

const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === undefined || s.trim() === "" ? null : s));

/**
 * Every environment variable the control plane reads, parsed once at start. The README's
 * configuration table is written by hand from these comments: change both together.
 */
const envSchema = z.object({
  /** TCP port of the one HTTP server (UI, REST API, socket.io). 0 picks a free port. */
  PORT: port(3000),
  /** Address to listen on. */
  HOST: z.string().default("0.0.0.0"),
  /** URL users and agents reach this server at (printed at start). Default http://localhost:PORT. */
  PUBLIC_URL: optionalString,
  /** PostgreSQL URL. Unset: an embedded PostgreSQL is started with its data under SWITCHYARD_DATA_DIR. */
  DATABASE_URL: optionalString,
  /** Directory for local state: embedded database (DATA_DIR/postgres), local agent's credential. Default: .data at the repository root. */
  SWITCHYARD_DATA_DIR: optionalString,
  /** Port of the embedded PostgreSQL (only used without DATABASE_URL). */
  SWITCHYARD_PG_PORT: port(54329),
  /** pino level: fatal, error, warn, info, debug, trace, silent. */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** E-mail of the admin created on first start. */
  SWITCHYARD_ADMIN_EMAIL: z.string().default("admin@switchyard.local"),
  /** Password of the admin created on first start; unset: a one-time password is generated and printed. */
  SWITCHYARD_ADMIN_PASSWORD: optionalString,
  /** How often agents send heartbeats (told to them in `server:welcome`). */
  HEARTBEAT_INTERVAL_MS: z.coerce.number().int().positive().default(5000),
  /** A host with no heartbeat for this long is marked offline. */
  OFFLINE_AFTER_MS: z.coerce.number().int().positive().default(15000),
  /** How often the presence sweeper looks for hosts that missed their heartbeats. */
  PRESENCE_SWEEP_INTERVAL_MS: z.coerce.number().int().positive().default(2000),
  /** After an agent's socket closes, how long to wait for it to reconnect before marking the host offline. */
  AGENT_DISCONNECT_GRACE_MS: z.coerce.number().int().min(0).default(2000),
  /** Lifetime of a host enrollment token (e.g. 30m, 24h, 7d). */
  ENROLLMENT_TTL: duration("24h"),
  /** Lifetime of a sign-in session (the sy_session cookie). */
  SESSION_TTL: duration("7d"),
  /** Lifetime of an invite link an admin creates for a new user or a password reset. */
  INVITE_TTL: duration("72h"),
  /** Mark the session cookie Secure (HTTPS only). Default: true when PUBLIC_URL is https. */
  COOKIE_SECURE: z.enum(["true", "false", "1", "0", ""]).optional(),
  /** Serve the Next.js UI (false: API and sockets only). */
  SWITCHYARD_UI: bool(true),
  /** As root on Linux, enroll this machine and run its agent beside the control plane (server.ts only; `--no-local-agent` also turns it off). */
  SWITCHYARD_LOCAL_AGENT: bool(true),
  /** Next.js development mode (hot reload). Default: NODE_ENV is not "production". */
  NEXT_DEV: z.enum(["true", "false", "1", "0", ""]).optional(),
  NODE_ENV: z.string().optional(),
  /** socket.io adapter: "postgres" carries events between replicas; "memory" for a single process. */
  SOCKET_ADAPTER: z.enum(["postgres", "memory"]).default("postgres"),
  /** How often blocks left empty past their pool's grace period are returned to the pool. */
  IPAM_BLOCK_SWEEP_INTERVAL: duration("30s"),
  /** Check every API success body against its contract (a mismatch is a 500); the test suites turn it on. */
  VALIDATE_RESPONSES: bool(false),
  /** How often the leak check runs (one replica at a time, Postgres advisory lock). */
  LEAK_CHECK_INTERVAL: duration("30s"),
  /** How often a browser socket's session or API token is checked again (sign-out and revocation close it at once). */
  UI_RECHECK_INTERVAL: duration("60s"),
  /** A leak finding is raised (UI alert, metric, webhook) only after it persisted this long; 0 raises at once. */
  LEAK_GRACE: durationOrZero("60s"),
  /** Allocations of a host not seen for this long are reported as host_offline. */
  HOST_OFFLINE_GRACE: durationOrZero("5m"),
  /**
   * Comma-separated host[:port] a browser's Origin may name (with PUBLIC_URL's host) for a cookie to
   * count. Unset: PUBLIC_URL's host and the request's own Host.
   */
  ALLOWED_HOSTS: optionalString.transform((s, ctx) => {
    if (s === null) return null;
    const hosts = s
      .split(",")
      .map((h) => h.trim().toLowerCase())
      .filter((h) => h !== "");
    for (const h of hosts) {
      if (!isHostAndPort(h)) {
        ctx.addIssue({ code: "custom", message: `not a host or host:port: ${h}` });
        return z.NEVER;
      }
    }
    return hosts;
  }),
  /** A reverse proxy of ours sets X-Forwarded-Host: it counts as the request's host in the cross-site check. */
  TRUST_PROXY: bool(false),
  /**
   * A pool whose first failing allocation is forecast (at the last 24 h's rate) within this long raises an
   * exhaustion alert (UI, metric, one webhook to LEAK_WEBHOOK_URL); checked every LEAK_CHECK_INTERVAL.
   */
  POOL_EXHAUSTION_HORIZON: duration("24h"),
  /** Each raised leak finding is POSTed here as JSON (outbox, retried with backoff until a 2xx). Unset: no webhook. */
  LEAK_WEBHOOK_URL: optionalString.pipe(z.union([z.url({ message: "not a URL" }), z.null()])),
});

export interface Config {
  port: number;
  host: string;
  publicUrl: string | null;
  databaseUrl: string | null;
  dataDir: string;
  embeddedPgPort: number;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  adminEmail: string;
  adminPassword: string | null;
  heartbeatIntervalMs: number;
  offlineAfterMs: number;
  presenceSweepIntervalMs: number;
  agentDisconnectGraceMs: number;
  enrollmentTtlMs: number;
  sessionTtlMs: number;
  inviteTtlMs: number;
  cookieSecure: boolean;
  serveUi: boolean;
  localAgent: boolean;
  nextDev: boolean;
  socketAdapter: "postgres" | "memory";
  ipamBlockSweepIntervalMs: number;
  validateResponses: boolean;
  leakCheckIntervalMs: number;
  uiRecheckIntervalMs: number;
  leakGraceMs: number;
  hostOfflineGraceMs: number;
  leakWebhookUrl: string | null;
  poolExhaustionHorizonMs: number;
  /** ALLOWED_HOSTS, PUBLIC_URL and TRUST_PROXY as the cross-site check uses them. */
  site: SitePolicy;
  /** Directory of the Next.js app (apps/web). */
  webDir: string;
}

export class ConfigError extends Error {}

/** Parses the environment once. Throws ConfigError naming the variable at fault. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: { webDir?: string } = {},
): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const e = parsed.data;
  const webDir = options.webDir ?? path.resolve(import.meta.dirname, "../..");
  const publicUrl = e.PUBLIC_URL;
  const flag = (s: string | undefined, fallback: boolean) =>
    s === undefined || s === "" ? fallback : s === "true" || s === "1";
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.SWITCHYARD_DATA_DIR
      ? path.resolve(e.SWITCHYARD_DATA_DIR)
      : path.resolve(webDir, "../../.data"),
    embeddedPgPort: e.SWITCHYARD_PG_PORT,
    logLevel: e.LOG_LEVEL,
    adminEmail: e.SWITCHYARD_ADMIN_EMAIL,
    adminPassword: e.SWITCHYARD_ADMIN_PASSWORD,
    heartbeatIntervalMs: e.HEARTBEAT_INTERVAL_MS,
    offlineAfterMs: e.OFFLINE_AFTER_MS,
    presenceSweepIntervalMs: e.PRESENCE_SWEEP_INTERVAL_MS,
    agentDisconnectGraceMs: e.AGENT_DISCONNECT_GRACE_MS,
    enrollmentTtlMs: e.ENROLLMENT_TTL,
    sessionTtlMs: e.SESSION_TTL,
    inviteTtlMs: e.INVITE_TTL,
    cookieSecure: flag(e.COOKIE_SECURE, publicUrl?.startsWith("https:") ?? false),
    serveUi: e.SWITCHYARD_UI,
    localAgent: e.SWITCHYARD_LOCAL_AGENT,
    nextDev: flag(e.NEXT_DEV, e.NODE_ENV !== "production"),
    socketAdapter: e.SOCKET_ADAPTER,
    ipamBlockSweepIntervalMs: e.IPAM_BLOCK_SWEEP_INTERVAL,
    validateResponses: e.VALIDATE_RESPONSES,
    leakCheckIntervalMs: e.LEAK_CHECK_INTERVAL,
    uiRecheckIntervalMs: e.UI_RECHECK_INTERVAL,
    leakGraceMs: e.LEAK_GRACE,
    hostOfflineGraceMs: e.HOST_OFFLINE_GRACE,
    leakWebhookUrl: e.LEAK_WEBHOOK_URL,
    poolExhaustionHorizonMs: e.POOL_EXHAUSTION_HORIZON,
    site: sitePolicy({ allowedHosts: e.ALLOWED_HOSTS, publicUrl, trustProxy: e.TRUST_PROXY }),
    webDir,
  };
}
