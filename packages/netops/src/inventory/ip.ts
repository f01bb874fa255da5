import type {
  ContainerInterface,
  InventoryAddress,
  InventoryInterface,
  LinuxBridge,
} from "@switchyard/protocol";
import { int, isObject, type JsonObject, parseJsonArray, str } from "./json";

/** One link as `ip -j -d link` (or `ip -j -d addr`) describes it, reduced to what Switchyard uses. */
export interface IpLink {
  index: number;
  name: string;
  /** `linkinfo.info_kind`: veth, bridge, openvswitch, macvlan, vxlan, tun, ... or "" for a plain device. */
  kind: string;
  /** `linkinfo.info_slave_kind`: "bridge" for a Linux bridge port, "openvswitch" for an OVS system port. */
  slaveKind: string | null;
  linkType: string | null;
  mac: string | null;
  mtu: number | null;
  operState: string;
  master: string | null;
  /** `link`: the name of the lower/peer device when it lives in the same namespace. */
  linkName: string | null;
  /** `link_index`: the ifindex of the lower/peer device when it lives in another namespace. */
  linkIndex: number | null;
  linkNetnsId: number | null;
  /** Present when the input was `ip -j addr` output (`addr_info`), else []. */
  addresses: InventoryAddress[];
}

function parseAddresses(obj: JsonObject): InventoryAddress[] {
  const info = obj.addr_info;
  if (!Array.isArray(info)) return [];
  const out: InventoryAddress[] = [];
  for (const a of info) {
    if (!isObject(a)) continue;
    const family = str(a, "family");
    const address = str(a, "local");
    const prefixLength = int(a, "prefixlen");
    if ((family === "inet" || family === "inet6") && address !== null && prefixLength !== null) {
      out.push({ family, address, prefixLength });
    }
  }
  return out;
}

function parseLink(obj: JsonObject): IpLink | null {
  const index = int(obj, "ifindex");
  const name = str(obj, "ifname");
  if (index === null || name === null) return null;
  const linkinfo = isObject(obj.linkinfo) ? obj.linkinfo : {};
  return {
    index,
    name,
    kind: str(linkinfo, "info_kind") ?? "",
    slaveKind: str(linkinfo, "info_slave_kind"),
    linkType: str(obj, "link_type"),
    mac: str(obj, "address"),
    mtu: int(obj, "mtu"),
    operState: str(obj, "operstate") ?? "UNKNOWN",
    master: str(obj, "master"),
    linkName: str(obj, "link"),
    linkIndex: int(obj, "link_index"),
    linkNetnsId: int(obj, "link_netnsid"),
    addresses: parseAddresses(obj),
  };
}

/** Parses `ip -j -d link` or `ip -j [-d] addr` output. */
export function parseIpLinks(json: string): IpLink[] {
  const out: IpLink[] = [];
  for (const item of parseJsonArray(json, "ip link")) {
    if (!isObject(item)) continue;
    const link = parseLink(item);
    if (link) out.push(link);
  }
  return out;
}

/** Parses `ip -j addr` output into addresses by ifindex. */
export function parseIpAddrs(json: string): Map<number, InventoryAddress[]> {
  const out = new Map<number, InventoryAddress[]>();
  for (const link of parseIpLinks(json)) out.set(link.index, link.addresses);
  return out;
}

/** Parses `ip -j netns list`: names of the named network namespaces. */
export function parseNetnsList(json: string): string[] {
  const out: string[] = [];
  for (const item of parseJsonArray(json, "ip netns list")) {
    if (!isObject(item)) continue;
    const name = str(item, "name");
    if (name) out.push(name);
  }
  return out;
}

/**
 * The veth peer's ifindex: `link_index` when the peer lives in another namespace, else the index of the
 * link named by `link` in the same list. Null for anything that is not a veth.
 */
export function vethPeerIndex(link: IpLink, all: readonly IpLink[]): number | null {
  if (link.kind !== "veth") return null;
  if (link.linkIndex !== null) return link.linkIndex;
  if (link.linkName !== null) return all.find((l) => l.name === link.linkName)?.index ?? null;
  return null;
}

export function compareAddresses(a: InventoryAddress, b: InventoryAddress): number {
  if (a.family !== b.family) return a.family < b.family ? -1 : 1;
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  return a.prefixLength - b.prefixLength;
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The host's interfaces from `ip -j -d link` plus the addresses of `ip -j addr` (by ifindex; when `addrs`
 * is omitted, the links' own `addr_info` is used, so `ip -j -d addr` output alone also works).
 */
export function hostInterfaces(
  links: readonly IpLink[],
  addrs?: Map<number, InventoryAddress[]>,
): InventoryInterface[] {
  return links
    .map((link) => ({
      name: link.name,
      index: link.index,
      kind: link.kind,
      mac: link.mac,
      mtu: link.mtu,
      operState: link.operState,
      master: link.master,
      peerIndex: vethPeerIndex(link, links),
      addresses: [...(addrs ? (addrs.get(link.index) ?? []) : link.addresses)].sort(compareAddresses),
    }))
    .sort(byName);
}

/** A container's interfaces from `ip -j -d addr` run in its namespace; loopback is left out. */
export function containerInterfaces(links: readonly IpLink[]): ContainerInterface[] {
  return links
    .filter((link) => link.linkType !== "loopback")
    .map((link) => ({
      name: link.name,
      index: link.index,
      kind: link.kind,
      mac: link.mac,
      peerIndex: vethPeerIndex(link, links),
      addresses: [...link.addresses].sort(compareAddresses),
    }))
    .sort(byName);
}

/** Linux bridges (kind "bridge") and their ports (interfaces whose master is the bridge), sorted. */
export function linuxBridges(
  interfaces: readonly Pick<InventoryInterface, "name" | "kind" | "master">[],
): LinuxBridge[] {
  return interfaces
    .filter((i) => i.kind === "bridge")
    .map((bridge) => ({
      name: bridge.name,
      ports: interfaces
        .filter((i) => i.master === bridge.name)
        .map((i) => i.name)
        .sort(),
    }))
    .sort(byName);
}
