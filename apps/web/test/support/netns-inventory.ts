import type { Inventory } from "@switchyard/protocol";

/**
 * An agent's inventory of named network namespaces only (no host interfaces, OVS or Docker): each
 * container's eth0 holds its address as a /24, or it has no interfaces when its address is null.
 */
export function netnsInventory(hostname: string, containers: Record<string, string | null>): Inventory {
  return {
    collectedAt: new Date().toISOString(),
    hostname,
    interfaces: [],
    bridges: [],
    ovs: { available: false, error: null, bridges: [] },
    namespaces: Object.keys(containers),
    docker: { available: false, error: null },
    containers: Object.entries(containers).map(([name, address]) => ({
      id: name,
      name,
      runtime: "netns",
      state: "running",
      pid: null,
      interfaces:
        address === null
          ? []
          : [
              {
                name: "eth0",
                index: 2,
                kind: "veth",
                mac: null,
                peerIndex: null,
                addresses: [{ family: "inet", address, prefixLength: 24 }],
              },
            ],
    })),
  };
}
