import { dirname } from "node:path";
import { parseArgs } from "node:util";
import { DEFAULT_DOCKER_SOCKET, DEFAULT_OVS_DB } from "@switchyard/netops";
import { driftRepairModeSchema, parseDuration } from "@switchyard/protocol";
import { z } from "zod";
import { type LogLevel, logLevels } from "./logger";
import { isValidNetnsName } from "./netns";

export const DEFAULT_CREDENTIAL_FILE = "/var/lib/switchyard/agent-credential.json";

export const USAGE = `Usage: switchyard-agent --server URL [--token TOKEN] [options]

Enrolls this host with a Switchyard control plane (once, with a one-time TOKEN), keeps the host
credential in a 0600 file, then reports the host's inventory over socket.io, reconnecting forever.

Options (environment fallback in brackets):
  --server URL            control plane URL, e.g. http://10.0.0.1:3000   [SWITCHYARD_SERVER]
  --token TOKEN           one-time enrollment token (only needed until enrolled)  [SWITCHYARD_TOKEN]
  --credential-file PATH  host credential file (default ${DEFAULT_CREDENTIAL_FILE})  [SWITCHYARD_CREDENTIAL_FILE]
  --ovs-db REMOTE         Open vSwitch database (default ${DEFAULT_OVS_DB})  [SWITCHYARD_OVS_DB]
  --docker-socket PATH    Docker daemon socket (default ${DEFAULT_DOCKER_SOCKET})  [SWITCHYARD_DOCKER_SOCKET]
  --datapath-type TYPE    OVS datapath for bridges the agent creates: system (default) or netdev  [SWITCHYARD_DATAPATH_TYPE]
  --garp-count N          gratuitous ARPs sent after an endpoint is configured, 0-10 (default 1)  [SWITCHYARD_GARP_COUNT]
  --state-dir PATH        where applied endpoints are remembered (default: the credential file's directory)  [SWITCHYARD_STATE_DIR]
  --reconcile-interval DUR  verify the whole host this often, repairing drift (host events verify what they touch at once); 0 disables (default 5m)  [SWITCHYARD_RECONCILE_INTERVAL]
  --drift-repair MODE     auto: repair drift at once (host events) and on the reconcile interval (default);
                          report: leave drift for the control plane to show, repair only when asked
                          ("Repair now" on the map)  [SWITCHYARD_DRIFT_REPAIR]
  --inventory-resync DUR   read the whole inventory again this often; between, it is kept from events (default 60s)  [SWITCHYARD_INVENTORY_RESYNC]
  --poll-interval DUR     inventory poll interval: 500ms, 2s, 1m (default 2s)  [SWITCHYARD_POLL_INTERVAL]
  --hostname NAME         name reported for this host (default: the system hostname)  [SWITCHYARD_HOSTNAME]
  --netns-prefix PREFIX   report only named network namespaces starting with PREFIX  [SWITCHYARD_NETNS_PREFIX]
  --netns NAME            the host is the named network namespace NAME: the agent stays where it runs
                          (e.g. reaching the server on loopback) and runs every command through
                          \`ip netns exec NAME\` (labs)  [SWITCHYARD_NETNS]
  --cni-socket PATH       serve the switchyard CNI plugin on this unix socket (root only: directory 0700,
                          socket 0600), e.g. /run/switchyard/cni.sock; unset: no CNI  [SWITCHYARD_CNI_SOCKET]
  --log-level LEVEL       debug, info, warn, error (default info)  [SWITCHYARD_LOG_LEVEL]
  --print-inventory       print this host's inventory as JSON and exit (no server needed)
  --help, --version

  switchyard-agent install-cni [--bin-dir /opt/cni/bin] [--conf-dir /etc/cni/net.d] [--network NAME]
                          [--cni-socket PATH]: writes the CNI plugin and an example config list

Exit codes: 0 stopped by SIGTERM/SIGINT, 1 unexpected failure, 2 bad usage,
3 protocol version mismatch with the control plane, 4 credential or token refused (revoked, unknown, used).
`;

const durationSchema = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null) {
    ctx.addIssue({ code: "custom", message: `"${text}" is not a duration (examples: 500ms, 2s, 1m)` });
    return z.NEVER;
  }
  return ms;
});

const serverSchema = z
  .string()
  .url("must be a URL such as http://10.0.0.1:3000")
  .refine((u) => /^https?:\/\//.test(u), "must be an http:// or https:// URL")
  .transform((u) => u.replace(/\/+$/, ""));

const optional = (s: z.ZodString) =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? null : v))
    .pipe(s.nullable());

const baseSchema = z.object({
  token: optional(z.string().min(1)),
  credentialFile: z.string().min(1),
  ovsDb: z.string().min(1),
  dockerSocket: z.string().min(1),
  /** OVS datapath type for bridges the agent creates (`netdev` in labs without the kernel module). */
  datapathType: z.enum(["system", "netdev"], { message: "must be system or netdev" }),
  pollIntervalMs: durationSchema.pipe(z.number().int().min(100, "must be at least 100ms").max(3_600_000)),
  garpCount: z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(0).max(10, "must be between 0 and 10")),
  /** Directory of the applied-endpoint store (endpoints.json). */
  stateDir: z.string().min(1),
  reconcileIntervalMs: durationSchema.pipe(
    z
      .number()
      .int()
      .refine((n) => n === 0 || n >= 1000, "must be 0 (off) or at least 1s")
      .refine((n) => n <= 86_400_000, "must be at most 24h"),
  ),
  driftRepair: driftRepairModeSchema,
  /** The inventory is kept from events (OVSDB monitor, Docker events, link monitor) and read whole this often. */
  inventoryResyncMs: durationSchema.pipe(
    z.number().int().min(1000, "must be at least 1s").max(86_400_000, "must be at most 24h"),
  ),
  hostname: z.string().min(1).max(255),
  netnsPrefix: optional(z.string().min(1)),
  /** Named network namespace that is the managed host (commands run through `ip netns exec`); unset: this one. */
  netns: z
    .string()
    .refine(isValidNetnsName, "must be a network namespace name (letters, digits, . _ -)")
    .optional(),
  /** The CNI plugin's unix socket; null: the agent serves no CNI. */
  cniSocket: optional(
    z
      .string()
      .min(1)
      .refine((p) => p.startsWith("/"), "must be an absolute path"),
  ),
  logLevel: z.enum(logLevels),
});

const runSchema = baseSchema.extend({ server: serverSchema });
const printSchema = baseSchema.extend({ server: serverSchema.nullable() });

export type AgentConfig = z.infer<typeof runSchema>;
type PrintConfig = z.infer<typeof printSchema>;

export type CommandLine =
  | { action: "help" }
  | { action: "version" }
  | { action: "run"; config: AgentConfig }
  | { action: "print-inventory"; config: PrintConfig };

/** A command line or environment problem: print it with the usage and exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/**
 * Parses the command line, with SWITCHYARD_* environment variables as fallbacks. Called once at start;
 * the result is passed down as values.
 */
export function parseConfig(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  defaults: { hostname: string },
): CommandLine {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        server: { type: "string" },
        token: { type: "string" },
        "credential-file": { type: "string" },
        "ovs-db": { type: "string" },
        "docker-socket": { type: "string" },
        "datapath-type": { type: "string" },
        "poll-interval": { type: "string" },
        "garp-count": { type: "string" },
        "state-dir": { type: "string" },
        "reconcile-interval": { type: "string" },
        "inventory-resync": { type: "string" },
        "drift-repair": { type: "string" },
        hostname: { type: "string" },
        "netns-prefix": { type: "string" },
        netns: { type: "string" },
        "cni-socket": { type: "string" },
        "log-level": { type: "string" },
        "print-inventory": { type: "boolean" },
        help: { type: "boolean", short: "h" },
        version: { type: "boolean" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return { action: "help" };
  if (values.version) return { action: "version" };
  const pick = (flag: string, envName: string): string | undefined => {
    const v = values[flag];
    return typeof v === "string" ? v : env[envName];
  };
  const credentialFile = pick("credential-file", "SWITCHYARD_CREDENTIAL_FILE") ?? DEFAULT_CREDENTIAL_FILE;
  const raw = {
    server: pick("server", "SWITCHYARD_SERVER"),
    token: pick("token", "SWITCHYARD_TOKEN"),
    credentialFile,
    ovsDb: pick("ovs-db", "SWITCHYARD_OVS_DB") ?? DEFAULT_OVS_DB,
    dockerSocket: pick("docker-socket", "SWITCHYARD_DOCKER_SOCKET") ?? DEFAULT_DOCKER_SOCKET,
    datapathType: pick("datapath-type", "SWITCHYARD_DATAPATH_TYPE") ?? "system",
    pollIntervalMs: pick("poll-interval", "SWITCHYARD_POLL_INTERVAL") ?? "2s",
    garpCount: pick("garp-count", "SWITCHYARD_GARP_COUNT") ?? "1",
    stateDir: pick("state-dir", "SWITCHYARD_STATE_DIR") || dirname(credentialFile),
    // Every endpoint's namespace is read on a full verification (a process each): at hundreds of
    // endpoints a 30 s interval alone kept the idle agent at 20% of a core. Host events (a veth of ours
    // gone, a container of ours restarted) verify what they touch at once; the interval catches drift
    // no host event shows (inside a container).
    reconcileIntervalMs: pick("reconcile-interval", "SWITCHYARD_RECONCILE_INTERVAL") ?? "5m",
    inventoryResyncMs: pick("inventory-resync", "SWITCHYARD_INVENTORY_RESYNC") ?? "60s",
    driftRepair: pick("drift-repair", "SWITCHYARD_DRIFT_REPAIR") ?? "auto",
    hostname: pick("hostname", "SWITCHYARD_HOSTNAME") || defaults.hostname,
    netnsPrefix: pick("netns-prefix", "SWITCHYARD_NETNS_PREFIX"),
    netns: pick("netns", "SWITCHYARD_NETNS") || undefined,
    cniSocket: pick("cni-socket", "SWITCHYARD_CNI_SOCKET"),
    logLevel: (pick("log-level", "SWITCHYARD_LOG_LEVEL") ?? "info").toLowerCase() as LogLevel,
  };
  const flagOf: Record<string, string> = {
    server: "--server",
    token: "--token",
    credentialFile: "--credential-file",
    ovsDb: "--ovs-db",
    dockerSocket: "--docker-socket",
    datapathType: "--datapath-type",
    pollIntervalMs: "--poll-interval",
    garpCount: "--garp-count",
    stateDir: "--state-dir",
    reconcileIntervalMs: "--reconcile-interval",
    inventoryResyncMs: "--inventory-resync",
    driftRepair: "--drift-repair",
    hostname: "--hostname",
    netnsPrefix: "--netns-prefix",
    netns: "--netns",
    cniSocket: "--cni-socket",
    logLevel: "--log-level",
  };
  const fail = (error: z.ZodError): never => {
    const issue = error.issues[0];
    const key = String(issue?.path[0] ?? "");
    const message =
      raw.server === undefined && key === "server" ? "is required" : (issue?.message ?? "is invalid");
    throw new UsageError(`${flagOf[key] ?? key}: ${message}`);
  };
  if (values["print-inventory"]) {
    const parsed = printSchema.safeParse({ ...raw, server: raw.server ?? null });
    return parsed.success ? { action: "print-inventory", config: parsed.data } : fail(parsed.error);
  }
  const parsed = runSchema.safeParse(raw);
  return parsed.success ? { action: "run", config: parsed.data } : fail(parsed.error);
}
