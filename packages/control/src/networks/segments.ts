import { type Cidr, parseCidr } from "@switchyard/ipam";

/** What decides whether two networks share an L2 segment (network-level settings; overrides aside). */
export interface SegmentInfo {
  name: string;
  driver: "bridge" | "ovs" | "macvlan" | "vxlan";
  subnet: string;
  vlan: number | null;
  vni: number | null;
  bridgeName: string | null;
  uplink: string | null;
}

export interface SegmentClash {
  field: "subnet" | "bridgeName" | "vni" | "uplink";
  message: string;
}

const overlaps = (a: Cidr, b: Cidr): boolean =>
  a.family === b.family && a.network < b.network + b.size && b.network < a.network + a.size;

const linuxBridged = (n: SegmentInfo) => n.driver === "bridge" || n.driver === "vxlan";

/**
 * Why `candidate` cannot live next to `existing`, or null. One L2 segment is: the same Linux bridge
 * (bridge and vxlan networks), the same OVS bridge and VLAN (ovs; no VLAN counts as one segment), the
 * same macvlan parent. Two networks on one segment must not have overlapping subnets. Besides: a VNI
 * belongs to one network, and one bridge name cannot be both a Linux bridge and an OVS bridge.
 */
export function segmentClash(candidate: SegmentInfo, existing: SegmentInfo): SegmentClash | null {
  if (candidate.vni !== null && candidate.vni === existing.vni) {
    return { field: "vni", message: `VNI ${candidate.vni} is already used by network ${existing.name}` };
  }
  if (candidate.bridgeName !== null && candidate.bridgeName === existing.bridgeName) {
    const a = candidate.driver === "ovs";
    const b = existing.driver === "ovs";
    if (a !== b) {
      return {
        field: "bridgeName",
        message: `bridge ${candidate.bridgeName} is ${b ? "an OVS" : "a Linux"} bridge of network ${existing.name}; a ${candidate.driver} network needs ${a ? "an OVS" : "a Linux"} bridge of another name`,
      };
    }
  }
  let sameSegment = false;
  let where = "";
  if (candidate.bridgeName !== null && candidate.bridgeName === existing.bridgeName) {
    if (linuxBridged(candidate) && linuxBridged(existing)) {
      sameSegment = true;
      where = `Linux bridge ${candidate.bridgeName}`;
    } else if (candidate.driver === "ovs" && existing.driver === "ovs" && candidate.vlan === existing.vlan) {
      sameSegment = true;
      where = `OVS bridge ${candidate.bridgeName} ${candidate.vlan === null ? "untagged" : `VLAN ${candidate.vlan}`}`;
    }
  }
  if (
    candidate.driver === "macvlan" &&
    existing.driver === "macvlan" &&
    candidate.uplink !== null &&
    candidate.uplink === existing.uplink
  ) {
    sameSegment = true;
    where = `macvlan parent ${candidate.uplink}`;
  }
  if (!sameSegment) return null;
  if (!overlaps(parseCidr(candidate.subnet), parseCidr(existing.subnet))) return null;
  return {
    field: "subnet",
    message: `subnet ${candidate.subnet} overlaps ${existing.subnet} of network ${existing.name} on the same L2 segment (${where})`,
  };
}

/** A host's override of a network's bridge or uplink (null: the network's own). */
export interface SegmentOverride {
  hostId: string;
  bridgeName: string | null;
  uplink: string | null;
}

/** The network as it is on one host (`hostId` null: a host without overrides). */
function onHost(n: SegmentInfo, overrides: readonly SegmentOverride[], hostId: string | null): SegmentInfo {
  const o = hostId === null ? undefined : overrides.find((x) => x.hostId === hostId);
  return { ...n, bridgeName: o?.bridgeName ?? n.bridgeName, uplink: o?.uplink ?? n.uplink };
}

/**
 * `segmentClash` on every host where the two networks may meet: hosts without overrides, and every
 * host that either network overrides (a per-host bridge can put a network on another's segment there).
 */
export function segmentClashOnAnyHost(
  candidate: SegmentInfo,
  candidateOverrides: readonly SegmentOverride[],
  existing: SegmentInfo,
  existingOverrides: readonly SegmentOverride[],
  hostName: (hostId: string) => string,
): SegmentClash | null {
  const hosts = new Set([...candidateOverrides, ...existingOverrides].map((o) => o.hostId));
  for (const hostId of [null, ...hosts]) {
    const clash = segmentClash(
      onHost(candidate, candidateOverrides, hostId),
      onHost(existing, existingOverrides, hostId),
    );
    if (clash)
      return hostId === null ? clash : { ...clash, message: `${clash.message} on host ${hostName(hostId)}` };
  }
  return null;
}
