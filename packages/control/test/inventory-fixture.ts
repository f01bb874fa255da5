import type { Inventory } from "@switchyard/protocol";

/** A host's inventory with just an underlay `eth0` (and the named namespaces): enough for VXLAN and attach. */
export function underlayInventory(hostname: string, underlay: string, namespaces: string[] = []): Inventory {
  return {
    collectedAt: new Date().toISOString(),
    hostname,
    interfaces: [
      {
        name: "eth0",
        index: 2,
        kind: "veth",
        mac: null,
        mtu: 1500,
        operState: "UP",
        master: null,
        peerIndex: null,
        addresses: [{ family: "inet", address: underlay, prefixLength: 24 }],
      },
    ],
    bridges: [],
    ovs: { available: true, error: null, bridges: [] },
    namespaces,
    docker: { available: true, error: null },
    containers: [],
  };
}
