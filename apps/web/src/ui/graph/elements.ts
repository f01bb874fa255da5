import type {
  HostDetail,
  HostStatus,
  Inventory,
  InventoryInterface,
  OvsPort,
  Topology,
} from "@switchyard/protocol";
import { formatAddress, sortAddresses } from "../format/addresses";
import {
  attachmentVlan,
  type ContainerAttachment,
  containerPortNames,
  findContainerAttachments,
  linuxBridgePorts,
  type PlugPoint,
} from "./attachments";
import { elementIds } from "./element-ids";
import {
  buildTunnelEdges,
  containerAttachmentStatus,
  emptyOverlay,
  type NetworkOverlay,
  networkOfInterface,
} from "./network-overlay";
import { UNTAGGED_COLOR, vlanColor } from "./vlan-colors";

type TopologyNodeKind =
  | "host"
  | "linux-bridge"
  | "ovs-bridge"
  | "uplink"
  | "host-interface"
  | "container"
  /** The overview's group captions (fleet-elements.ts). */
  | "group";

export interface TopologyNodeData {
  id: string;
  /** The host's compound node; absent on hosts. */
  parent?: string;
  kind: TopologyNodeKind;
  label: string;
  hostId: string;
  hostName: string;
  /** Bridge, interface or container name; the host name for hosts. */
  name: string;
  /** Hosts only. */
  status?: HostStatus;
  /** Containers only. */
  containerId?: string;
  /** Containers only: `docker` or `netns`. */
  runtime?: string;
  /** Containers only: the worst status of its attachments known to the control plane, if any. */
  attachmentStatus?: string;
  /** Hosts on the overview (fleet-elements.ts): what their row says. */
  containers?: number;
  leaks?: number;
  drift?: number;
}

export interface TopologyEdgeData {
  id: string;
  source: string;
  target: string;
  kind: "uplink" | "attachment" | "tunnel";
  label: string;
  color: string;
  vlan: number | null;
  hostId: string;
  /** Tunnels only: the vxlan network and the far host. */
  networkId?: string;
  peerHostId?: string;
}

export type TopologyElement =
  | { group: "nodes"; data: TopologyNodeData; classes: string }
  | { group: "edges"; data: TopologyEdgeData; classes: string };

/**
 * The graph of a topology: pure, deterministic, stable ids (see element-ids.ts). With the control
 * plane's networks and attachments, containers carry their attachment status and hosts on one vxlan
 * network are joined by tunnel edges.
 */
export function buildTopologyElements(
  topology: Topology,
  overlay: NetworkOverlay = emptyOverlay,
): TopologyElement[] {
  const hosts = [...topology.hosts].sort((a, b) => a.name.localeCompare(b.name));
  const elements = hosts.flatMap((host) => hostElements(host, overlay));
  const ids = new Set(elements.map((element) => element.data.id));
  for (const tunnel of buildTunnelEdges(hosts, overlay, (id) => ids.has(id))) {
    elements.push({
      group: "edges",
      data: {
        id: tunnel.id,
        source: tunnel.source,
        target: tunnel.target,
        kind: "tunnel",
        label: tunnel.label,
        color: tunnel.color,
        vlan: null,
        hostId: tunnel.sourceHostId,
        networkId: tunnel.networkId,
        peerHostId: tunnel.targetHostId,
      },
      classes: `tunnel vxlan vni-${tunnel.vni}`,
    });
  }
  return elements;
}

function hostElements(host: HostDetail, overlay: NetworkOverlay): TopologyElement[] {
  const hostNode: TopologyElement = {
    group: "nodes",
    data: {
      id: elementIds.host(host.id),
      kind: "host",
      label: `${host.name} · ${host.status}`,
      hostId: host.id,
      hostName: host.name,
      name: host.name,
      status: host.status,
    },
    classes: `host status-${host.status}`,
  };
  if (!host.inventory) return [hostNode];
  return [hostNode, ...inventoryElements(host, host.inventory, overlay)];
}

/** Collects elements by id so an interface reached twice (uplink and macvlan parent) appears once. */
class ElementSet {
  private readonly byId = new Map<string, TopologyElement>();

  add(element: TopologyElement): void {
    if (!this.byId.has(element.data.id)) this.byId.set(element.data.id, element);
  }

  list(): TopologyElement[] {
    return [...this.byId.values()];
  }
}

function inventoryElements(
  host: HostDetail,
  inventory: Inventory,
  overlay: NetworkOverlay,
): TopologyElement[] {
  const elements = new ElementSet();
  const parent = elementIds.host(host.id);
  const node = (id: string, kind: TopologyNodeKind, name: string, label: string, classes: string) =>
    elements.add({
      group: "nodes",
      data: { id, parent, kind, label, hostId: host.id, hostName: host.name, name },
      classes,
    });
  const edge = (source: string, target: string, via: string, data: Omit<EdgeLook, "id">) =>
    elements.add({
      group: "edges",
      data: {
        id: elementIds.edge(source, target, via),
        source,
        target,
        kind: data.kind,
        label: data.label,
        color: data.color,
        vlan: data.vlan,
        hostId: host.id,
      },
      classes: data.classes,
    });

  const attachments = findContainerAttachments(inventory);
  const containerPorts = containerPortNames(attachments);
  const interfaceKind = new Map(inventory.interfaces.map((iface) => [iface.name, iface.kind]));
  const uplinkNode = (name: string) => {
    const kind = interfaceKind.get(name) || "nic";
    const id = elementIds.hostInterface(host.id, name);
    node(id, "uplink", name, `${name}\n${kind}`, `uplink if-${cssToken(kind)}`);
    return id;
  };

  for (const [bridge, ports] of linuxBridgePorts(inventory)) {
    const bridgeId = elementIds.linuxBridge(host.id, bridge);
    node(bridgeId, "linux-bridge", bridge, `${bridge}\nbridge`, "bridge linux-bridge");
    for (const port of [...ports].sort()) {
      if (containerPorts.has(port)) continue;
      edge(bridgeId, uplinkNode(port), port, {
        kind: "uplink",
        label: "",
        color: UNTAGGED_COLOR,
        vlan: null,
        classes: "uplink-link",
      });
    }
  }

  for (const bridge of inventory.ovs.bridges) {
    const bridgeId = elementIds.ovsBridge(host.id, bridge.name);
    node(bridgeId, "ovs-bridge", bridge.name, `${bridge.name}\nOVS`, "bridge ovs-bridge");
    for (const port of bridge.ports) {
      if (port.name === bridge.name || containerPorts.has(port.name)) continue;
      edge(bridgeId, uplinkNode(port.name), port.name, { kind: "uplink", ...ovsPortLook(port) });
    }
  }

  for (const container of inventory.containers) {
    const id = elementIds.container(host.id, container.id);
    const address = container.interfaces.flatMap((iface) => iface.addresses).find((a) => a.family === "inet");
    const label = address ? `${container.name}\n${address.address}` : container.name;
    const attachmentStatus = containerAttachmentStatus(host.id, container, overlay.attachments);
    const classes =
      `container runtime-${container.runtime} state-${cssToken(container.state)}` +
      (attachmentStatus ? ` attach-${attachmentStatus}` : "");
    elements.add({
      group: "nodes",
      data: {
        id,
        parent,
        kind: "container",
        label,
        hostId: host.id,
        hostName: host.name,
        name: container.name,
        containerId: container.id,
        runtime: container.runtime,
        ...(attachmentStatus ? { attachmentStatus } : {}),
      },
      classes,
    });
  }

  // Plain NICs on no bridge (e.g. the host's main eth0) still say how the host is connected.
  for (const iface of inventory.interfaces) {
    if (!isStandaloneNic(iface)) continue;
    const address = sortAddresses(iface.addresses).find((a) => a.family === "inet");
    const label = address ? `${iface.name}\n${formatAddress(address)}` : iface.name;
    node(
      elementIds.hostInterface(host.id, iface.name),
      "host-interface",
      iface.name,
      label,
      "host-interface if-nic",
    );
  }

  for (const attached of attachments) {
    const { source, look } = attachmentEdge(host.id, attached.attachment, attached, node);
    // The control plane's attachment of this interface names its network on the edge.
    const network = networkOfInterface(
      host.id,
      attached.container,
      attached.containerInterface.name,
      overlay,
    );
    edge(
      source,
      elementIds.container(host.id, attached.container.id),
      attached.containerInterface.name,
      network ? { ...look, label: look.label ? `${network} · ${look.label}` : network } : look,
    );
  }

  return elements.list();
}

interface EdgeLook {
  kind: TopologyEdgeData["kind"];
  label: string;
  color: string;
  vlan: number | null;
  classes: string;
}

/** How an OVS port reads on its edge: access ports by VLAN tag, the rest as trunks. */
function ovsPortLook(port: OvsPort): Omit<EdgeLook, "kind"> {
  if (port.tag !== null) {
    return {
      label: `vlan ${port.tag}`,
      color: vlanColor(port.tag),
      vlan: port.tag,
      classes: `vlan vlan-${port.tag}`,
    };
  }
  const label = port.trunks.length > 0 ? `trunk ${port.trunks.join(",")}` : "trunk";
  return { label, color: UNTAGGED_COLOR, vlan: null, classes: "trunk" };
}

function attachmentEdge(
  hostId: string,
  attachment: PlugPoint,
  attached: ContainerAttachment,
  node: (id: string, kind: TopologyNodeKind, name: string, label: string, classes: string) => void,
): { source: string; look: EdgeLook } {
  switch (attachment.kind) {
    case "linux-bridge":
      return {
        source: elementIds.linuxBridge(hostId, attachment.bridge),
        look: { kind: "attachment", label: "", color: UNTAGGED_COLOR, vlan: null, classes: "attachment" },
      };
    case "ovs-bridge": {
      const look = ovsPortLook(attachment.port);
      const vlan = attachmentVlan(attachment);
      return {
        source: elementIds.ovsBridge(hostId, attachment.bridge),
        look: {
          kind: "attachment",
          ...look,
          label: vlan === null ? "untagged" : look.label,
          classes: `attachment ${look.classes}`,
        },
      };
    }
    case "host-interface": {
      const iface = attachment.hostInterface;
      const id = elementIds.hostInterface(hostId, iface.name);
      node(
        id,
        "host-interface",
        iface.name,
        `${iface.name}\n${iface.kind || "nic"}`,
        `host-interface if-${cssToken(iface.kind || "nic")}`,
      );
      const label = attached.containerInterface.kind === "macvlan" ? "macvlan" : "";
      return {
        source: id,
        look: { kind: "attachment", label, color: UNTAGGED_COLOR, vlan: null, classes: "attachment direct" },
      };
    }
  }
}

/** A physical-looking device (no kind, not loopback) that is no bridge's port. */
function isStandaloneNic(iface: InventoryInterface): boolean {
  return (
    iface.kind === "" && iface.name !== "lo" && iface.master === null && iface.mac !== "00:00:00:00:00:00"
  );
}

/** Agent-reported words become safe class names. */
function cssToken(value: string): string {
  return value.toLowerCase().replace(/[^a-z0-9_-]+/g, "-") || "unknown";
}
