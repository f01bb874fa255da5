/**
 * The CNI plugin's side of the CNI specification (containernetworking/cni SPEC.md, 1.0.0 and 1.1.0), with
 * no zod: the `switchyard` plugin is exec'd once per container and imports only this file (exported as
 * `@switchyard/protocol/cni-spec`), so it starts in Node's own start-up time. Everything the plugin
 * forwards is validated by the agent with the schemas in cni.ts.
 */

/** What the plugin answers to VERSION; configs of other versions are refused with code 1. */
export const CNI_SUPPORTED_VERSIONS = ["0.4.0", "1.0.0", "1.1.0"] as const;
export type CniVersion = (typeof CNI_SUPPORTED_VERSIONS)[number];
/** The version of errors the plugin makes before it knows the config's (spec: the newest it supports). */
export const CNI_LATEST_VERSION: CniVersion = "1.1.0";

/** Where the agent listens for the plugin unless the network config says `agentSocket`. */
export const DEFAULT_CNI_SOCKET = "/run/switchyard/cni.sock";

/** The spec's well-known error codes (SPEC.md "Error"); 100 and up are the plugin's own. */
export const CniErrorCode = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnvironment: 4,
  ioFailure: 5,
  decodeFailure: 6,
  invalidConfig: 7,
  tryAgainLater: 11,
  /** STATUS (1.1): the plugin cannot serve ADD. */
  notAvailable: 50,
  /** STATUS (1.1): not available, and existing containers may have limited connectivity. */
  limitedConnectivity: 51,
  /** Switchyard: the agent tried and the attach failed (the agent's error text says why). */
  attachFailed: 100,
  /** Switchyard: CHECK found the endpoint not as the runtime expects. */
  checkFailed: 101,
} as const;

export interface CniErrorObject {
  cniVersion: string;
  code: number;
  msg: string;
  details?: string;
}

export const cniError = (cniVersion: string, code: number, msg: string, details?: string): CniErrorObject =>
  details ? { cniVersion, code, msg, details } : { cniVersion, code, msg };

/** The commands of spec 1.1 (GC and STATUS are new there). */
export const CNI_COMMANDS = ["ADD", "DEL", "CHECK", "VERSION", "GC", "STATUS"] as const;
export type CniCommand = (typeof CNI_COMMANDS)[number];

/** The environment variables of the execution protocol the plugin forwards to the agent. */
export const CNI_ENV_KEYS = [
  "CNI_COMMAND",
  "CNI_CONTAINERID",
  "CNI_NETNS",
  "CNI_IFNAME",
  "CNI_ARGS",
  "CNI_PATH",
] as const;

/** One line of JSON from the plugin to the agent over the unix socket. */
export interface CniFrame {
  /** Frame format version (this file's); the agent refuses others. */
  v: 1;
  env: Partial<Record<(typeof CNI_ENV_KEYS)[number], string>>;
  /** The network configuration exactly as the runtime wrote it on stdin. */
  config: string;
}

/** One line of JSON the agent answers: what the plugin prints on stdout, and whether it exits 1. */
export type CniReply = { ok: true; output: unknown } | { ok: false; error: CniErrorObject };

/**
 * CNI_ARGS: `K1=V1;K2=V2` (libcni's convention; `IgnoreUnknown=1` among them). `{ bad }` names a pair
 * without '=' or with an empty key (the agent answers code 4 naming it).
 */
export function parseCniArgs(text: string | undefined): Record<string, string> | { bad: string } {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const pair of text.split(";")) {
    if (pair === "") continue;
    const at = pair.indexOf("=");
    if (at <= 0) return { bad: pair };
    out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/**
 * The named network namespace of a CNI_NETNS path: runtimes pin namespaces as files under /run/netns
 * (containerd `cni-…`, podman `netns-…`, CRI-O), which is what an agent resolves a `netns:NAME` ref to.
 * Null for anything else (e.g. /proc/PID/ns/net, which names no namespace that outlives the process).
 */
export function netnsNameOf(path: string): string | null {
  const m = /^(?:\/var)?\/run\/netns\/([^/]+)$/.exec(path);
  const name = m?.[1];
  return name && name !== "." && name !== ".." ? name : null;
}
