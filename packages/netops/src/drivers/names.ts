import { createHash } from "node:crypto";

/**
 * Deterministic names for what the drivers create. Every link Switchyard makes on a host starts with "sy",
 * then 8 hex digits of a hash of the endpoint id, then a role letter: h = veth host end, c = veth peer
 * before it moves into the container, m = macvlan child before it moves. 11 bytes, under IFNAMSIZ.
 */

export const OWNED_LINK_PATTERN = /^sy([0-9a-f]{8})([hcm])$/;
export const ALIAS_PREFIX = "switchyard:";
/** OVS external id naming the attachment a port serves. */
export const OVS_ATTACHMENT_KEY = "switchyard-attachment";
/** OVS bridge external id marking bridges Switchyard created (and may remove). */
export const OVS_BRIDGE_MARK = "switchyard";

function digest(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}

export const endpointHash = (endpointId: string): string => digest(endpointId).slice(0, 8);
export const hostIfname = (endpointId: string): string => `sy${endpointHash(endpointId)}h`;
export const vxlanIfname = (vni: number): string => `vx${vni}`;

export const endpointAlias = (endpointId: string): string => `${ALIAS_PREFIX}ep=${endpointId}`;
export const networkAlias = (networkId: string): string => `${ALIAS_PREFIX}net=${networkId}`;

/** A unicast, locally administered MAC derived from the endpoint id (02:xx:xx:xx:xx:xx). */
export function deriveMac(endpointId: string): string {
  const hex = digest(`mac:${endpointId}`).slice(0, 10);
  const bytes = hex.match(/../g) ?? [];
  return ["02", ...bytes].join(":");
}
