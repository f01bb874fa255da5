import type {
  Container,
  ContainerInterface,
  Inventory,
  InventoryInterface,
  OvsPort,
} from "@switchyard/protocol";

/** Where one container interface is plugged in on its host (not protocol's Attachment, the intent record). */
export type PlugPoint =
  | { kind: "linux-bridge"; bridge: string; hostInterface: InventoryInterface }
  | { kind: "ovs-bridge"; bridge: string; hostInterface: InventoryInterface; port: OvsPort }
  /** A host interface on no bridge: a routed veth, or the parent of a macvlan. */
  | { kind: "host-interface"; hostInterface: InventoryInterface };

export interface ContainerAttachment {
  container: Container;
  containerInterface: ContainerInterface;
  attachment: PlugPoint;
}

/** Ports of each Linux bridge: its own list plus every interface whose master it is. */
export function linuxBridgePorts(inventory: Inventory): Map<string, Set<string>> {
  const ports = new Map<string, Set<string>>();
  for (const bridge of inventory.bridges) ports.set(bridge.name, new Set(bridge.ports));
  for (const iface of inventory.interfaces) {
    if (iface.master !== null) ports.get(iface.master)?.add(iface.name);
  }
  return ports;
}

function findLinuxBridge(ports: Map<string, Set<string>>, iface: InventoryInterface): string | undefined {
  for (const [bridge, names] of ports) if (names.has(iface.name)) return bridge;
  return undefined;
}

function findOvsPort(inventory: Inventory, name: string): { bridge: string; port: OvsPort } | undefined {
  for (const bridge of inventory.ovs.bridges) {
    const port = bridge.ports.find((candidate) => candidate.name === name);
    if (port) return { bridge: bridge.name, port };
  }
  return undefined;
}

function attachmentOf(
  inventory: Inventory,
  bridgePorts: Map<string, Set<string>>,
  hostInterface: InventoryInterface,
): PlugPoint {
  const linuxBridge = findLinuxBridge(bridgePorts, hostInterface);
  if (linuxBridge !== undefined) return { kind: "linux-bridge", bridge: linuxBridge, hostInterface };
  const ovs = findOvsPort(inventory, hostInterface.name);
  if (ovs) return { kind: "ovs-bridge", bridge: ovs.bridge, hostInterface, port: ovs.port };
  return { kind: "host-interface", hostInterface };
}

/**
 * Follows each container interface to the host: its peerIndex is the ifindex of the host end
 * (a veth peer, or a macvlan's parent). A macvlan hangs on its parent NIC itself, not on a port.
 */
export function findContainerAttachments(inventory: Inventory): ContainerAttachment[] {
  const byIndex = new Map(inventory.interfaces.map((iface) => [iface.index, iface]));
  const bridgePorts = linuxBridgePorts(inventory);
  const result: ContainerAttachment[] = [];
  for (const container of inventory.containers) {
    for (const containerInterface of container.interfaces) {
      if (containerInterface.peerIndex === null) continue;
      const hostInterface = byIndex.get(containerInterface.peerIndex);
      if (!hostInterface) continue;
      const attachment: PlugPoint =
        containerInterface.kind === "macvlan"
          ? { kind: "host-interface", hostInterface }
          : attachmentOf(inventory, bridgePorts, hostInterface);
      result.push({ container, containerInterface, attachment });
    }
  }
  return result;
}

/** Host interfaces that are the host end of a container's veth (so not uplinks). */
export function containerPortNames(attachments: ContainerAttachment[]): Set<string> {
  const names = new Set<string>();
  for (const { containerInterface, attachment } of attachments) {
    if (containerInterface.kind !== "macvlan") names.add(attachment.hostInterface.name);
  }
  return names;
}

/** The VLAN a container interface sees: its OVS access port's tag, if any. */
export function attachmentVlan(attachment: PlugPoint): number | null {
  return attachment.kind === "ovs-bridge" ? attachment.port.tag : null;
}

export function attachmentBridge(attachment: PlugPoint): string | null {
  return attachment.kind === "host-interface" ? null : attachment.bridge;
}
