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
