import { randomBytes } from "node:crypto";
import { type Exec, type ExecOptions, exec as realExec } from "../exec";

/**
 * A short per-run prefix for everything a test creates on the machine (namespaces, links, daemons):
 * `base` plus 4 random hex digits. Keep `base` short: interface names are limited to 15 characters.
 */
export function runPrefix(base = "sy"): string {
  return `${base}${randomBytes(2).toString("hex")}`;
}

export interface NetnsHandle {
  name: string;
  /** Runs argv inside the namespace. */
  run(
    argv: readonly string[],
    options?: Omit<ExecOptions, "netns">,
  ): Promise<{ stdout: string; stderr: string }>;
  /** Deletes the namespace (idempotent). Links inside it go with it. */
  remove(): Promise<void>;
}

/** Creates a named network namespace with `lo` up. */
export async function createNetns(name: string, exec: Exec = realExec): Promise<NetnsHandle> {
  await exec(["ip", "netns", "add", name]);
  const handle: NetnsHandle = {
    name,
    run: (argv, options) => exec(argv, { ...options, netns: name }),
    remove: async () => {
      const { stdout } = await exec(["ip", "-j", "netns", "list"]);
      if (stdout.includes(`"name":"${name}"`)) await exec(["ip", "netns", "delete", name]);
    },
  };
  try {
    await handle.run(["ip", "link", "set", "lo", "up"]);
  } catch (error) {
    await handle.remove().catch(() => {});
    throw error;
  }
  return handle;
}
