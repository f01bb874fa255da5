import { contains, parseAddress, parseCidr } from "@switchyard/ipam";
import { z } from "zod";
import { networkDriverSchema } from "./desired-state";
import { nextCursorSchema } from "./paging";
import {
  idSchema,
  interfaceNameSchema,
  ipAddressSchema,
  resourceNameSchema,
  subnetProblem,
  unicastIpv4Schema,
  vlanIdSchema,
  vniSchema,
} from "./validators";

/**
 * Networks: a subnet reachable by containers on several hosts through one driver (bridge, ovs, macvlan,
 * vxlan). Addresses come from the IPAM pool of the subnet (found or created by CIDR), so networks on
 * different VLANs may share one subnet and get distinct addresses, as in the source document.
 */

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export const mtuSchema = z
  .number({ message: "MTU must be a number" })
  .int("MTU must be an integer")
  .min(68, "MTU must be between 68 and 65535")
  .max(65_535, "MTU must be between 68 and 65535");

/** What differs on one host: its bridge, its uplink (parent) interface, its VXLAN underlay address. */
export const hostOverrideSchema = z.object({
  bridgeName: interfaceNameSchema.optional(),
  uplink: interfaceNameSchema.optional(),
  /** VXLAN tunnel source of this host (otherwise taken from its inventory, see the network docs). */
  underlayAddress: unicastIpv4Schema.optional(),
});
export type HostOverride = z.infer<typeof hostOverrideSchema>;

/** Default bridge names when the body names none: bridge `br0`, ovs `ovs0`, vxlan `brvx<vni>`. */
export const DEFAULT_BRIDGE_NAMES = { bridge: "br0", ovs: "ovs0" } as const;
export const defaultVxlanBridge = (vni: number): string => `brvx${vni}`;

/**
 * POST /api/v1/networks.
 *  - `vlan` only for `ovs` (1-4094; 0 and 4095 are refused); omitted = untagged access ports.
 *  - `vni` required for `vxlan` (1-16777215); `vxlanPort` its UDP port (4789).
 *  - `bridgeName` for bridge / ovs / vxlan (defaults above); `uplink` the Linux bridge port (bridge), the
 *    trunk port (ovs), the parent (macvlan: required, network-wide or in the host's override, checked at
 *    attach time) or, for vxlan, the underlay interface whose IPv4 address is the tunnel source.
 *  - VXLAN underlay address of a host: its override's `underlayAddress`; else the first IPv4 address
 *    (not loopback, not link-local) of its effective `uplink` in its latest inventory; else the first
 *    such address on any interface of its inventory that Switchyard did not make and that is not a
 *    bridge. A host with none cannot be attached (422 naming hostOverrides).
 *  - `hostOverrides`: keyed by host id or host name.
 */
export const createNetworkBodySchema = z
  .object({
    name: resourceNameSchema,
    driver: networkDriverSchema,
    subnet: z.string().min(1, "subnet is required"),
    gateway: ipAddressSchema.optional(),
    vlan: vlanIdSchema.optional(),
    vni: vniSchema.optional(),
    vxlanPort: z.number().int().min(1).max(65_535).optional(),
    bridgeName: interfaceNameSchema.optional(),
    uplink: interfaceNameSchema.optional(),
    mtu: mtuSchema.optional(),
    hostOverrides: z.record(z.string().min(1).max(255), hostOverrideSchema).default({}),
    description: z.string().max(500).optional(),
  })
  .superRefine((body, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
    let cidr: ReturnType<typeof parseCidr> | null = null;
    try {
      cidr = parseCidr(body.subnet);
    } catch (err) {
      issue("subnet", messageOf(err));
    }
    const problem = cidr && subnetProblem(cidr);
    if (problem) {
      issue("subnet", problem);
      cidr = null;
    }
    if (cidr && body.gateway !== undefined) {
      try {
        if (!contains(cidr, parseAddress(body.gateway)))
          issue("gateway", `gateway ${body.gateway} is not inside ${body.subnet}`);
      } catch (err) {
        issue("gateway", messageOf(err));
      }
    }
    if (body.vlan !== undefined && body.driver !== "ovs")
      issue("vlan", "only ovs networks carry a VLAN tag (vlan)");
    if (body.driver === "vxlan" && body.vni === undefined) issue("vni", "a vxlan network needs a vni");
    if (body.driver !== "vxlan" && body.vni !== undefined) issue("vni", "only vxlan networks have a vni");
    if (body.driver !== "vxlan" && body.vxlanPort !== undefined)
      issue("vxlanPort", "only vxlan networks have a vxlanPort");
    if (body.driver === "macvlan" && body.bridgeName !== undefined)
      issue("bridgeName", "a macvlan network has no bridge (name its parent in uplink)");
    if (body.driver === "vxlan" && cidr && cidr.family !== 4)
      issue("subnet", "vxlan networks carry IPv4 subnets only");
  });
export type CreateNetworkBody = z.output<typeof createNetworkBodySchema>;
export type CreateNetworkInput = z.input<typeof createNetworkBodySchema>;

export const networkHostOverrideSchema = z.object({
  hostId: z.string(),
  hostName: z.string(),
  bridgeName: z.string().nullable(),
  uplink: z.string().nullable(),
  underlayAddress: z.string().nullable(),
});
export type NetworkHostOverride = z.infer<typeof networkHostOverrideSchema>;

export const networkSchema = z.object({
  id: z.string(),
  name: z.string(),
  driver: networkDriverSchema,
  /** Canonical CIDR. */
  subnet: z.string(),
  prefixLength: z.number().int(),
  gateway: z.string().nullable(),
  vlan: z.number().int().nullable(),
  vni: z.number().int().nullable(),
  vxlanPort: z.number().int().nullable(),
  /** Effective bridge name (defaults applied); null for macvlan. */
  bridgeName: z.string().nullable(),
  uplink: z.string().nullable(),
  mtu: z.number().int().nullable(),
  /** The IPAM pool the addresses come from (shared by every network on the same subnet). */
  poolId: z.string(),
  poolName: z.string(),
  description: z.string().nullable(),
  hostOverrides: z.array(networkHostOverrideSchema),
  /** Attachments not yet detached. */
  attachmentCount: z.number().int(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
});
export type Network = z.infer<typeof networkSchema>;

/** GET /api/v1/networks */
export const networkListSchema = z.object({ networks: z.array(networkSchema), nextCursor: nextCursorSchema });
export type NetworkList = z.infer<typeof networkListSchema>;

/** DELETE /api/v1/networks/:id body (optional). */
export const deleteNetworkBodySchema = z.object({ reason: z.string().min(1).max(500).optional() });
export type DeleteNetworkBody = z.infer<typeof deleteNetworkBodySchema>;

export const networkRefSchema = z.union([idSchema, resourceNameSchema]);
