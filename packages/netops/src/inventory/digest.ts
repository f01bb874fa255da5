import { createHash } from "node:crypto";
import { type Container, type Inventory, inventorySchema } from "@switchyard/protocol";
import { compareAddresses } from "./ip";

/** JSON with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** sha256 (hex) of the canonical JSON of an inventory without `collectedAt`: changes only when the host does. */
export function digestInventory(inventory: Inventory): string {
  const { collectedAt: _ignored, ...rest } = inventory;
  return createHash("sha256").update(canonicalJson(rest)).digest("hex");
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareContainers(a: Container, b: Container): number {
  return cmp(a.runtime, b.runtime) || cmp(a.name, b.name) || cmp(a.id, b.id);
}

/**
 * Validates an inventory against the protocol schema and sorts every list deterministically (interfaces,
 * bridges, ports and containers by name, addresses by family then address, VLAN lists numerically).
 */
export function normalizeInventory(input: Inventory): Inventory {
  const inv = inventorySchema.parse(input);
  const byName = <T extends { name: string }>(list: T[]): T[] =>
    [...list].sort((a, b) => cmp(a.name, b.name));
  return {
    collectedAt: inv.collectedAt,
    hostname: inv.hostname,
    interfaces: byName(inv.interfaces).map((i) => ({
      ...i,
      addresses: [...i.addresses].sort(compareAddresses),
    })),
    bridges: byName(inv.bridges).map((b) => ({ ...b, ports: [...b.ports].sort(cmp) })),
    ovs: {
      available: inv.ovs.available,
      error: inv.ovs.error,
      bridges: byName(inv.ovs.bridges).map((b) => ({
        ...b,
        ports: byName(b.ports).map((p) => ({ ...p, trunks: [...p.trunks].sort((x, y) => x - y) })),
      })),
    },
    namespaces: [...inv.namespaces].sort(cmp),
    docker: inv.docker,
    containers: [...inv.containers].sort(compareContainers).map((c) => ({
      ...c,
      interfaces: byName(c.interfaces).map((i) => ({
        ...i,
        addresses: [...i.addresses].sort(compareAddresses),
      })),
    })),
  };
}
