import type { Inventory, InventoryInterface } from "@switchyard/protocol";

/** A host interface `name` (a veth, up, without addresses unless `over` says otherwise). */
export const hostInterface = (
  name: string,
  index: number,
  over: Partial<InventoryInterface> = {},
): InventoryInterface => ({
  name,
  index,
  kind: "veth",
  mac: null,
  mtu: 1500,
  operState: "UP",
  master: null,
  peerIndex: null,
  addresses: [],
  ...over,
});

/** A host's inventory with just an underlay `eth0` (and the named namespaces): enough for VXLAN and attach. */
export function underlayInventory(hostname: string, underlay: string, namespaces: string[] = []): Inventory {
  return {
    collectedAt: new Date().toISOString(),
    hostname,
    interfaces: [
      hostInterface("eth0", 2, { addresses: [{ family: "inet", address: underlay, prefixLength: 24 }] }),
    ],
    bridges: [],
    ovs: { available: true, error: null, bridges: [] },
    namespaces,
    docker: { available: true, error: null },
    containers: [],
  };
}
