import type { Inventory } from "@switchyard/protocol";

/** A minimal valid inventory with plain interfaces of these names (no OVS, no Docker). */
export function inventoryWith(
  names: string[],
  hostname = "h1",
  collectedAt = new Date().toISOString(),
): Inventory {
  return {
    collectedAt,
    hostname,
    interfaces: names.map((name, index) => ({
      name,
      index,
      kind: "",
      mac: null,
      mtu: 1500,
      operState: "UP",
      master: null,
      peerIndex: null,
      addresses: [],
    })),
    bridges: [],
    ovs: { available: false, error: "absent", bridges: [] },
    namespaces: [],
    docker: { available: false, error: "absent" },
    containers: [],
  };
}
