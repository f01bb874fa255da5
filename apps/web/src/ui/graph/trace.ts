import type { HostDetail, Inventory, Network, TraceTestResult } from "@switchyard/protocol";
import { findContainerAttachments, linuxBridgePorts, type PlugPoint } from "./attachments";
import { elementIds } from "./element-ids";

/** One step of an L2 path, with the graph element it is drawn as. */
interface TraceHop {
  elementId: string;
  text: string;
}

export type TraceResult =
  | { ok: true; hops: TraceHop[] }
  | {
      ok: false;
      /** As far as the path goes from each end. */
      hops: TraceHop[];
      reason: string;
    };

export interface TraceEnd {
  host: HostDetail;
  containerId: string;
}

/** Where one container's frames go on its own host: its port and segment, as the inventory shows them. */
interface Side {
  hops: TraceHop[];
  containerName: string;
  hostName: string;
  /** Segment: an OVS bridge with the access VLAN, or a Linux bridge (untagged). */
  bridgeKind: "ovs" | "linux";
  bridge: string;
  vlan: number | null;
  /** The bridge's ways off the host: trunks with the VLANs they carry (null: all), bridge uplinks, vxlan devices. */
  uplinks: { name: string; kind: "trunk" | "uplink" | "vxlan"; carries: number[] | null }[];
}

function sideOf(end: TraceEnd): Side | string {
  const { host } = end;
  const inventory = host.inventory;
  if (!inventory) return `${host.name} has reported no inventory`;
  const container = inventory.containers.find((c) => c.id === end.containerId);
  if (!container) return `the container is not in ${host.name}'s latest inventory`;
  const attached = findContainerAttachments(inventory).find(
    (a) => a.container.id === container.id && a.attachment.kind !== "host-interface",
  );
  const attachment = attached?.attachment;
  if (!attached || !attachment || attachment.kind === "host-interface")
    return `${container.name} has no interface on a bridge of ${host.name}`;
  const { containerInterface } = attached;
  const containerNode = elementIds.container(host.id, container.id);
  const bridgeNode =
    attachment.kind === "ovs-bridge"
      ? elementIds.ovsBridge(host.id, attachment.bridge)
      : elementIds.linuxBridge(host.id, attachment.bridge);
  const hops: TraceHop[] = [
    { elementId: containerNode, text: `${container.name} ${containerInterface.name}` },
    {
      // The veth is the edge between the container and its bridge.
      elementId: elementIds.edge(bridgeNode, containerNode, containerInterface.name),
      text: `veth ${attachment.hostInterface.name} on ${host.name}`,
    },
  ];
  return attachment.kind === "ovs-bridge"
    ? ovsSide(host, inventory, attachment, container.name, hops)
    : linuxSide(host, inventory, attachment, container.name, hops);
}

function ovsSide(
  host: HostDetail,
  inventory: Inventory,
  attachment: Extract<PlugPoint, { kind: "ovs-bridge" }>,
  containerName: string,
  hops: TraceHop[],
): Side {
  const bridge = inventory.ovs.bridges.find((b) => b.name === attachment.bridge);
  const tag = attachment.port.tag;
  hops.push({
    elementId: elementIds.ovsBridge(host.id, attachment.bridge),
    text: `OVS ${attachment.bridge} port ${attachment.port.name} ${tag === null ? "untagged" : `access vlan ${tag}`}`,
  });
  const kinds = new Map(inventory.interfaces.map((i) => [i.name, i.kind]));
  const uplinks: Side["uplinks"] = [];
  for (const port of bridge?.ports ?? []) {
    if (port.name === attachment.bridge || port.tag !== null) continue;
    if (kinds.get(port.name) === "vxlan" || port.interfaceType === "vxlan")
      uplinks.push({ name: port.name, kind: "vxlan", carries: null });
    else if (port.interfaceType === "" || port.interfaceType === "system")
      uplinks.push({ name: port.name, kind: "trunk", carries: port.trunks.length > 0 ? port.trunks : null });
  }
  return {
    hops,
    containerName,
    hostName: host.name,
    bridgeKind: "ovs",
    bridge: attachment.bridge,
    vlan: tag,
    uplinks,
  };
}

function linuxSide(
  host: HostDetail,
  inventory: Inventory,
  attachment: Extract<PlugPoint, { kind: "linux-bridge" }>,
  containerName: string,
  hops: TraceHop[],
): Side {
  hops.push({
    elementId: elementIds.linuxBridge(host.id, attachment.bridge),
    text: `bridge ${attachment.bridge} port ${attachment.hostInterface.name}`,
  });
  const containerPorts = new Set(
    findContainerAttachments(inventory).map((a) => a.attachment.hostInterface.name),
  );
  const kinds = new Map(inventory.interfaces.map((i) => [i.name, i.kind]));
  const uplinks: Side["uplinks"] = [];
  for (const port of linuxBridgePorts(inventory).get(attachment.bridge) ?? []) {
    if (containerPorts.has(port)) continue;
    uplinks.push({ name: port, kind: kinds.get(port) === "vxlan" ? "vxlan" : "uplink", carries: null });
  }
  return {
    hops,
    containerName,
    hostName: host.name,
    bridgeKind: "linux",
    bridge: attachment.bridge,
    vlan: null,
    uplinks: uplinks.sort((a, b) => a.name.localeCompare(b.name)),
  };
}

const vlanText = (vlan: number | null) => (vlan === null ? "untagged" : `VLAN ${vlan}`);

/** The way off a host for this side's VLAN, or why there is none. */
function exit(side: Side, host: HostDetail, peer: Side): { hop: TraceHop; vxlan: string | null } | string {
  const id = (name: string) => elementIds.hostInterface(host.id, name);
  if (side.uplinks.length === 0)
    return `${side.bridge} on ${side.hostName} has no uplink: nothing leaves the host`;
  const vxlan = side.uplinks.find((u) => u.kind === "vxlan");
  if (vxlan) {
    if (!peer.uplinks.some((u) => u.kind === "vxlan" && u.name === vxlan.name))
      return `VXLAN peer missing: ${side.hostName} has ${vxlan.name} on ${side.bridge}, ${peer.hostName} has none on ${peer.bridge}`;
    return { hop: { elementId: id(vxlan.name), text: `VXLAN ${vxlan.name}` }, vxlan: vxlan.name };
  }
  const carrying = side.uplinks.find(
    (u) => u.carries === null || (side.vlan !== null && u.carries.includes(side.vlan)),
  );
  if (!carrying) {
    const names = side.uplinks.map((u) => `${u.name} (trunks ${u.carries?.join(",")})`).join(", ");
    return `${vlanText(side.vlan)} is not on ${side.hostName}'s trunk: ${names}`;
  }
  const text =
    carrying.kind === "trunk"
      ? `trunk ${carrying.name} (${carrying.carries === null ? "all VLANs" : `VLANs ${carrying.carries.join(",")}`})`
      : `uplink ${carrying.name}`;
  return { hop: { elementId: id(carrying.name), text }, vxlan: null };
}

/**
 * The L2 path between two containers from what their hosts report (pure): container -> veth -> OVS access
 * port with its tag (or a Linux bridge) -> trunk uplink -> segment -> the other host's uplink -> ... -> the
 * other container; or why there is none (no bridge, different VLAN, VLAN not on a trunk, VXLAN peer missing).
 * With the control plane's networks, a VXLAN device's network is named. It says nothing about routing: two
 * containers on one segment and VLAN can reach each other at L2; whether their addresses agree is
 * another question.
 */
export function traceL2(from: TraceEnd, to: TraceEnd, networks: readonly Network[] = []): TraceResult {
  const a = sideOf(from);
  const b = sideOf(to);
  if (typeof a === "string") return { ok: false, hops: typeof b === "string" ? [] : b.hops, reason: a };
  if (typeof b === "string") return { ok: false, hops: a.hops, reason: b };
  if (a.vlan !== b.vlan)
    return {
      ok: false,
      hops: [...a.hops, ...b.hops.slice().reverse()],
      reason: `different VLAN: ${a.containerName} is on ${vlanText(a.vlan)}, ${b.containerName} on ${vlanText(b.vlan)}`,
    };
  const sameHost = from.host.id === to.host.id;
  if (sameHost) {
    if (a.bridge !== b.bridge)
      return {
        ok: false,
        hops: [...a.hops, ...b.hops.slice().reverse()],
        reason: `different bridges on ${a.hostName}: ${a.bridge} and ${b.bridge}`,
      };
    return { ok: true, hops: [...a.hops, ...b.hops.slice(0, -1).reverse()] };
  }
  const outA = exit(a, from.host, b);
  if (typeof outA === "string") return { ok: false, hops: a.hops, reason: outA };
  const outB = exit(b, to.host, a);
  if (typeof outB === "string") return { ok: false, hops: [...a.hops, outA.hop], reason: outB };
  const vni = outA.vxlan ? Number(/^vx(\d+)$/.exec(outA.vxlan)?.[1]) : null;
  const network = vni !== null ? networks.find((n) => n.vni === vni) : undefined;
  const segment: TraceHop = {
    elementId: outA.hop.elementId,
    text: outA.vxlan
      ? `VXLAN tunnel ${a.hostName} -> ${b.hostName}${network ? ` (${network.name})` : ""}`
      : `L2 segment (${vlanText(a.vlan)}) -> ${b.hostName}`,
  };
  return { ok: true, hops: [...a.hops, outA.hop, segment, outB.hop, ...b.hops.slice().reverse()] };
}

/** The class a traced path gets once tested (pure): passed when both directions got replies. */
export function testedPathClass(test: TraceTestResult | null): "trace-passed" | "trace-failed" | null {
  if (!test) return null;
  return test.ok ? "trace-passed" : "trace-failed";
}
