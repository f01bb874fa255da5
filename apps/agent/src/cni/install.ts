import { existsSync } from "node:fs";
import { chmod, copyFile, mkdir, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEFAULT_CNI_SOCKET } from "@switchyard/protocol";

export const INSTALL_CNI_USAGE = `Usage: switchyard-agent install-cni [options]

Writes the switchyard CNI plugin and an example network config list, for podman, containerd or CRI-O.
The agent serves the plugin only when started with --cni-socket (the same path as agentSocket below).

Options:
  --bin-dir DIR      where the runtime looks for plugins (default /opt/cni/bin)
  --conf-dir DIR     where the runtime reads network configs (default /etc/cni/net.d)
  --name NAME        the CNI network name, what runtimes select (default switchyard)
  --network NAME     the Switchyard network containers join (default: the same as --name)
  --cni-socket PATH  the agent's socket (default ${DEFAULT_CNI_SOCKET})
  --force            replace an existing config list
`;

export interface InstallCniOptions {
  binDir: string;
  confDir: string;
  name: string;
  network: string;
  socket: string;
  force: boolean;
}

export function parseInstallCni(argv: readonly string[]): InstallCniOptions | "help" {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      "bin-dir": { type: "string" },
      "conf-dir": { type: "string" },
      name: { type: "string" },
      network: { type: "string" },
      "cni-socket": { type: "string" },
      force: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return "help";
  const name = values.name ?? "switchyard";
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(name))
    throw new Error("--name: letters, digits, _ . - (a CNI network name)");
  const socket = values["cni-socket"] ?? DEFAULT_CNI_SOCKET;
  if (!socket.startsWith("/")) throw new Error("--cni-socket: must be an absolute path");
  return {
    binDir: values["bin-dir"] ?? "/opt/cni/bin",
    confDir: values["conf-dir"] ?? "/etc/cni/net.d",
    name,
    network: values.network ?? name,
    socket,
    force: values.force ?? false,
  };
}

/** The plugin bundle beside this file (the agent bundle in dist/) or in dist/ (running from sources). */
function pluginBundle(): string {
  const candidates = [
    new URL("switchyard-cni.cjs", import.meta.url),
    new URL("../../dist/switchyard-cni.cjs", import.meta.url),
  ];
  const found = candidates.map((u) => fileURLToPath(u)).find((p) => existsSync(p));
  if (!found)
    throw new Error("the plugin bundle dist/switchyard-cni.cjs is missing; run `npm run build:bundles`");
  return found;
}

/** The example config list: one network, our plugin alone (runtimes set up loopback themselves). */
function exampleConflist(options: Pick<InstallCniOptions, "name" | "network" | "socket">): string {
  const conflist = {
    cniVersion: "1.0.0",
    name: options.name,
    plugins: [
      { type: "switchyard", network: options.network, agentSocket: options.socket, defaultRoute: false },
    ],
  };
  return `${JSON.stringify(conflist, null, 2)}\n`;
}

/** Writes `<bin-dir>/switchyard` (0755, replaced atomically) and `<conf-dir>/10-<name>.conflist`; says what it did. */
export async function installCni(options: InstallCniOptions): Promise<string[]> {
  await mkdir(options.binDir, { recursive: true, mode: 0o755 });
  await mkdir(options.confDir, { recursive: true, mode: 0o755 });
  const plugin = join(options.binDir, "switchyard");
  const tmp = `${plugin}.${process.pid}.tmp`;
  await copyFile(pluginBundle(), tmp);
  await chmod(tmp, 0o755);
  await rename(tmp, plugin);
  const conf = join(options.confDir, `10-${options.name}.conflist`);
  if (existsSync(conf) && !options.force)
    return [`wrote ${plugin}`, `kept ${conf} (it exists; --force replaces it)`];
  await writeFile(conf, exampleConflist(options), { mode: 0o644 });
  return [`wrote ${plugin}`, `wrote ${conf}`];
}
