/**
 * Prints this host's inventory as JSON on stdout (debugging, and the real-host test that runs it inside a
 * network namespace): `tsx packages/netops/src/inventory/cli.ts [--hostname N] [--ovs-db unix:PATH]
 * [--docker-socket PATH] [--netns-prefix P]`.
 */
import { hostname } from "node:os";
import { parseArgs } from "node:util";
import { DEFAULT_DOCKER_SOCKET, DEFAULT_OVS_DB, readInventory } from "./read";

const { values } = parseArgs({
  options: {
    hostname: { type: "string" },
    "ovs-db": { type: "string" },
    "docker-socket": { type: "string" },
    "netns-prefix": { type: "string" },
  },
  strict: true,
});

const inventory = await readInventory({
  hostname: values.hostname ?? hostname(),
  ovsDb: values["ovs-db"] ?? DEFAULT_OVS_DB,
  dockerSocket: values["docker-socket"] ?? DEFAULT_DOCKER_SOCKET,
  netnsPrefix: values["netns-prefix"] ?? null,
  onWarning: (message, fields) =>
    process.stderr.write(`${JSON.stringify({ level: "warn", message, ...fields })}\n`),
});
process.stdout.write(`${JSON.stringify(inventory, null, 2)}\n`);
