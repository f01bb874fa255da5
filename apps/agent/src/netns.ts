/**
 * `--netns NAME`: the host this agent manages is the named network namespace NAME (a lab host, or a
 * host-like namespace on a real machine). The agent process itself stays where it was started (e.g. the
 * root namespace, so it reaches a control plane on 127.0.0.1); every command it runs, inventory readers
 * and reconciler alike, goes through `ip netns exec NAME ...`. Paths it hands to those commands keep
 * working: `/proc/PID/ns/net` (same PID namespace), `/run/netns/*` (same mounts), unix sockets.
 */
import { stat } from "node:fs/promises";
import { type Exec, exec as realExec } from "@switchyard/netops";

const NETNS_DIR = "/run/netns";

/** A namespace name (one file name, no '/', not "." or ".."): the protocol's rule, shared with `netns:` refs. */
export { isValidNetnsName } from "@switchyard/protocol";

/** The namespace file of a named namespace (what `ip netns exec` and `nsenter --net=` open). */
const netnsPath = (name: string, dir = NETNS_DIR): string => `${dir}/${name}`;

/**
 * An Exec running every command inside the named namespace (`ip netns exec NAME argv...`). A caller that
 * names a namespace itself keeps it (nothing in the agent does).
 */
export function netnsExec(name: string, base: Exec = realExec): Exec {
  return (argv, options = {}) => base(argv, { ...options, netns: options.netns ?? name });
}

/** Throws a readable error when the namespace does not exist (checked once at start). */
export async function assertNetnsExists(name: string, dir = NETNS_DIR): Promise<void> {
  try {
    await stat(netnsPath(name, dir));
  } catch {
    throw new Error(
      `network namespace ${name} not found (${netnsPath(name, dir)}); create it or drop --netns`,
    );
  }
}

/** How the agent reaches its host: the Exec to run commands with and the host's own namespace file. */
export interface HostAccess {
  exec: Exec;
  /**
   * The namespace file of the managed host, so the inventory reader can leave it out of the named
   * namespaces it reports as containers; undefined: the namespace the agent runs in.
   */
  hostNetnsPath: string | undefined;
}

export function hostAccess(netns: string | undefined, base: Exec = realExec): HostAccess {
  return netns
    ? { exec: netnsExec(netns, base), hostNetnsPath: netnsPath(netns) }
    : { exec: base, hostNetnsPath: undefined };
}
