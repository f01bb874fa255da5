import {
  type Attachment,
  type AttachmentStatus,
  type Container,
  type HostDetail,
  type Network,
  refNamesContainer,
} from "@switchyard/protocol";
import { elementIds } from "./element-ids";
import { vlanColor } from "./vlan-colors";

/** What the control plane knows beyond the inventories: networks and their attachments. */
export interface NetworkOverlay {
  networks: Network[];
  attachments: Attachment[];
}

export const emptyOverlay: NetworkOverlay = { networks: [], attachments: [] };

/** The VXLAN device the agent makes for a network on every host (netops `vxlanIfname`). */
const vxlanDeviceName = (vni: number): string => `vx${vni}`;

/** A network's VXLAN full mesh is drawn up to this many hosts; beyond it, a ring (readable at scale). */
const MAX_TUNNEL_MESH_HOSTS = 16;

export interface TunnelEdge {
  id: string;
  source: string;
  target: string;
  networkId: string;
  networkName: string;
  vni: number;
  label: string;
  color: string;
  sourceHostId: string;
  targetHostId: string;
}

const active = (a: Attachment) => a.status !== "detached";

/** Does this attachment name this inventory container? (Docker refs may be a name, a full or a short id.) */
export function attachmentMatchesContainer(
  attachment: Pick<Attachment, "container">,
  container: Pick<Container, "runtime" | "id" | "name">,
): boolean {
  return refNamesContainer(attachment.container.runtime, attachment.container.ref, container);
}

/** Worst first: a container with one failed and one applied attachment reads as failed. */
const severity: Record<AttachmentStatus, number> = {
  failed: 4,
  pending: 3,
  detaching: 2,
  applied: 1,
  detached: 0,
};

/** The attachment status a container node shows (the worst of its active attachments), or null. */
export function containerAttachmentStatus(
  hostId: string,
  container: Pick<Container, "runtime" | "id" | "name">,
  attachments: Attachment[],
): AttachmentStatus | null {
  let worst: AttachmentStatus | null = null;
  for (const a of attachments) {
    if (a.hostId !== hostId || !active(a) || !attachmentMatchesContainer(a, container)) continue;
    if (worst === null || severity[a.status] > severity[worst]) worst = a.status;
  }
  return worst;
}

/** Host pairs to draw for a set of hosts: every pair up to the mesh limit, a ring beyond it. */
export function tunnelPairs<T>(hosts: T[], maxMesh = MAX_TUNNEL_MESH_HOSTS): [T, T][] {
  const pairs: [T, T][] = [];
  if (hosts.length < 2) return pairs;
  if (hosts.length <= maxMesh) {
    for (let i = 0; i < hosts.length; i++)
      for (let j = i + 1; j < hosts.length; j++) pairs.push([hosts[i] as T, hosts[j] as T]);
    return pairs;
  }
  for (let i = 0; i < hosts.length; i++) pairs.push([hosts[i] as T, hosts[(i + 1) % hosts.length] as T]);
  return pairs;
}

/**
 * VXLAN tunnels: for every vxlan network, an edge between each two hosts that have an active
 * attachment on it. An edge ends at the host's VXLAN device (`vx<vni>`) when the inventory shows it,
 * else at the network's bridge, else at the host itself. `has(id)` says whether a node exists.
 */
export function buildTunnelEdges(
  hosts: HostDetail[],
  overlay: NetworkOverlay,
  has: (id: string) => boolean,
): TunnelEdge[] {
  const byId = new Map(hosts.map((h) => [h.id, h]));
  const edges: TunnelEdge[] = [];
  const networks = overlay.networks
    .filter((n) => n.driver === "vxlan" && n.vni !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const network of networks) {
    const vni = network.vni as number;
    const hostIds = new Set(
      overlay.attachments.filter((a) => a.networkId === network.id && active(a)).map((a) => a.hostId),
    );
    const members = [...hostIds]
      .map((id) => byId.get(id))
      .filter((h): h is HostDetail => h !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    const end = (host: HostDetail) => {
      const device = elementIds.hostInterface(host.id, vxlanDeviceName(vni));
      if (has(device)) return device;
      const bridgeName =
        network.hostOverrides.find((o) => o.hostId === host.id)?.bridgeName ?? network.bridgeName;
      if (bridgeName) {
        const bridge = elementIds.linuxBridge(host.id, bridgeName);
        if (has(bridge)) return bridge;
      }
      return elementIds.host(host.id);
    };
    for (const [a, b] of tunnelPairs(members)) {
      edges.push({
        id: `tunnel/${network.id}/${a.id}/${b.id}`,
        source: end(a),
        target: end(b),
        networkId: network.id,
        networkName: network.name,
        vni,
        label: `vxlan ${vni}`,
        color: vlanColor(vni),
        sourceHostId: a.id,
        targetHostId: b.id,
      });
    }
  }
  return edges;
}

/** The network a container interface was attached to by the control plane (by container and ifname), if any. */
export function networkOfInterface(
  hostId: string,
  container: Pick<Container, "runtime" | "id" | "name">,
  ifname: string,
  overlay: NetworkOverlay,
): string | null {
  const found = overlay.attachments.find(
    (a) =>
      a.hostId === hostId && active(a) && a.ifname === ifname && attachmentMatchesContainer(a, container),
  );
  return found ? found.networkName : null;
}
