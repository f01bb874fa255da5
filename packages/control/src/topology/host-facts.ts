import { formatIpv4, parseIpv4 } from "@switchyard/ipam";
import type { FleetDriver, FleetMatchKind, Inventory } from "@switchyard/protocol";

/**
 * What the fleet map needs from one inventory snapshot, derived once per snapshot (pure) and kept by
 * the snapshot's digest (fleet.ts), so a fleet request never re-reads or re-parses a snapshot.
 */
export interface HostFacts {
  subnet: string | null;
  uplink: string | null;
  containers: number;
  running: number;
  bridges: number;
  vlans: number[];
  drivers: FleetDriver[];
  search: SearchEntry[];
}

export interface SearchEntry {
  kind: FleetMatchKind;
  text: string;
  /** `text` lower-cased once. */
  lower: string;
  containerId: string | null;
  containerName: string | null;
}

/** The IPv4 network (`a.b.c.d/len`) of an address with its prefix length. */
export function ipv4Network(address: string, prefixLength: number): string | null {
  const value = parseIpv4(address);
  if (value === null || prefixLength < 0 || prefixLength > 32) return null;
  const mask = prefixLength === 0 ? 0n : ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefixLength)) - 1n);
  return `${formatIpv4(value & mask)}/${prefixLength}`;
}

/** Host interfaces that are the host end of a container's veth (so neither uplinks nor the host's own). */
function containerPortNames(inventory: Inventory): Set<string> {
  const byIndex = new Map(inventory.interfaces.map((iface) => [iface.index, iface.name]));
  const names = new Set<string>();
  for (const container of inventory.containers) {
    for (const iface of container.interfaces) {
      if (iface.kind === "macvlan" || iface.peerIndex === null) continue;
      const name = byIndex.get(iface.peerIndex);
      if (name !== undefined) names.add(name);
    }
  }
  return names;
}

/** The host's own address: its first plain NIC (no kind, on no bridge, not lo) with an IPv4 address. */
function hostSubnet(inventory: Inventory): string | null {
  for (const iface of inventory.interfaces) {
    if (iface.kind !== "" || iface.name === "lo" || iface.master !== null) continue;
    const inet = iface.addresses.find((a) => a.family === "inet");
    if (inet) return ipv4Network(inet.address, inet.prefixLength);
  }
  return null;
}

/** Trunk uplinks of OVS bridges and uplink ports of Linux bridges: what ties the host to its segment. */
function hostUplink(inventory: Inventory, containerPorts: Set<string>): string | null {
  const parts: string[] = [];
  for (const bridge of inventory.ovs.bridges) {
    for (const port of bridge.ports) {
      if (port.name === bridge.name || port.tag !== null || containerPorts.has(port.name)) continue;
      if (port.interfaceType !== "" && port.interfaceType !== "system") continue;
      const carries = port.trunks.length > 0 ? [...port.trunks].sort((a, b) => a - b).join(",") : "all";
      parts.push(`${bridge.name}/${port.name} trunk ${carries}`);
    }
  }
  const enslaved = new Map<string, string[]>();
  for (const bridge of inventory.bridges) enslaved.set(bridge.name, [...bridge.ports]);
  for (const iface of inventory.interfaces) {
    if (iface.master !== null && enslaved.has(iface.master)) enslaved.get(iface.master)?.push(iface.name);
  }
  for (const [bridge, ports] of enslaved) {
    for (const port of new Set(ports)) if (!containerPorts.has(port)) parts.push(`${bridge}/${port}`);
  }
  return parts.length > 0 ? [...new Set(parts)].sort().join("; ") : null;
}

function hostDrivers(inventory: Inventory): FleetDriver[] {
  const drivers: FleetDriver[] = [];
  if (inventory.bridges.length > 0) drivers.push("bridge");
  if (inventory.ovs.bridges.length > 0) drivers.push("ovs");
  if (inventory.containers.some((c) => c.interfaces.some((i) => i.kind === "macvlan")))
    drivers.push("macvlan");
  if (inventory.interfaces.some((i) => i.kind === "vxlan")) drivers.push("vxlan");
  return drivers;
}

function searchEntries(hostName: string, inventory: Inventory): SearchEntry[] {
  const entries: SearchEntry[] = [];
  const add = (kind: FleetMatchKind, text: string, container: { id: string; name: string } | null) =>
    entries.push({
      kind,
      text,
      lower: text.toLowerCase(),
      containerId: container?.id ?? null,
      containerName: container?.name ?? null,
    });
  add("host", hostName, null);
  if (inventory.hostname !== hostName) add("host", inventory.hostname, null);
  for (const iface of inventory.interfaces) {
    for (const a of iface.addresses) add("address", a.address, null);
    if (iface.mac && iface.name !== "lo") add("mac", iface.mac, null);
  }
  const vlans = new Set<number>();
  for (const bridge of inventory.ovs.bridges)
    for (const port of bridge.ports) if (port.tag !== null) vlans.add(port.tag);
  for (const vlan of [...vlans].sort((a, b) => a - b)) add("vlan", `vlan ${vlan}`, null);
  for (const container of inventory.containers) {
    add("container", container.name, container);
    for (const iface of container.interfaces) {
      for (const a of iface.addresses) add("address", a.address, container);
      if (iface.mac) add("mac", iface.mac, container);
    }
  }
  return entries;
}

export function hostFacts(hostName: string, inventory: Inventory): HostFacts {
  const containerPorts = containerPortNames(inventory);
  const vlans = new Set<number>();
  for (const bridge of inventory.ovs.bridges)
    for (const port of bridge.ports) if (port.tag !== null) vlans.add(port.tag);
  return {
    subnet: hostSubnet(inventory),
    uplink: hostUplink(inventory, containerPorts),
    containers: inventory.containers.length,
    running: inventory.containers.filter((c) => c.state === "running").length,
    bridges: inventory.bridges.length + inventory.ovs.bridges.length,
    vlans: [...vlans].sort((a, b) => a - b),
    drivers: hostDrivers(inventory),
    search: searchEntries(hostName, inventory),
  };
}

/** Facts of a host without an inventory (pending, or its snapshot no longer parses). */
export function emptyFacts(hostName: string): HostFacts {
  return {
    subnet: null,
    uplink: null,
    containers: 0,
    running: 0,
    bridges: 0,
    vlans: [],
    drivers: [],
    search: [
      { kind: "host", text: hostName, lower: hostName.toLowerCase(), containerId: null, containerName: null },
    ],
  };
}

const kindRank: Record<FleetMatchKind, number> = {
  host: 0,
  container: 1,
  address: 2,
  mac: 3,
  vlan: 4,
  interface: 5,
};

/** How well `entry` matches the lower-cased query: 0 exact, 1 prefix, 2 substring, null none. */
export function matchScore(entry: SearchEntry, query: string): number | null {
  if (entry.lower === query) return 0;
  if (entry.lower.startsWith(query)) return 1;
  return entry.lower.includes(query) ? 2 : null;
}

/** Orders matches: exact before prefix before substring, hosts before containers before addresses ... */
export function compareMatches(
  a: { score: number; entry: SearchEntry; hostName: string },
  b: { score: number; entry: SearchEntry; hostName: string },
): number {
  return (
    a.score - b.score ||
    kindRank[a.entry.kind] - kindRank[b.entry.kind] ||
    a.hostName.localeCompare(b.hostName) ||
    a.entry.text.localeCompare(b.entry.text)
  );
}
