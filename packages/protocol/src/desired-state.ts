import { z } from "zod";
import {
  containerRefProblem,
  idSchema,
  interfaceNameSchema,
  ipAddressSchema,
  ipv4AddressSchema,
  macAddressSchema,
  resourceNameSchema,
  vlanIdSchema,
  vniSchema,
} from "./validators";

/**
 * The desired state of one host: every network the host takes part in and every endpoint (a container
 * attached to a network) it must carry. The control plane pushes it whole with a serial; the agent
 * reconciles the host to it and answers with one result per endpoint.
 */

export const networkDriverSchema = z.enum(["bridge", "ovs", "macvlan", "vxlan"]);
export type NetworkDriver = z.infer<typeof networkDriverSchema>;

export const vxlanSettingsSchema = z.object({
  /** This host's underlay address (the VXLAN tunnel source). */
  localAddress: ipv4AddressSchema,
  /** Underlay addresses of the other hosts on this network. */
  peers: z.array(ipv4AddressSchema),
  dstPort: z.number().int().min(1).max(65_535).default(4789),
});
export type VxlanSettings = z.infer<typeof vxlanSettingsSchema>;

export const desiredNetworkSchema = z
  .object({
    id: idSchema,
    name: resourceNameSchema,
    driver: networkDriverSchema,
    /** Linux bridge (bridge, vxlan) or OVS bridge (ovs). Unused by macvlan. */
    bridgeName: interfaceNameSchema.optional(),
    /** Parent interface: bridge port (bridge), trunk port (ovs), macvlan parent (macvlan). */
    uplink: interfaceNameSchema.optional(),
    /** OVS access VLAN of the containers' ports. */
    vlan: vlanIdSchema.optional(),
    vni: vniSchema.optional(),
    vxlan: vxlanSettingsSchema.optional(),
    mtu: z.number().int().min(68).max(65_535).optional(),
    prefixLength: z.number().int().min(0).max(128),
    gateway: ipAddressSchema.optional(),
  })
  .superRefine((n, ctx) => {
    const need = (ok: boolean, path: string, message: string) => {
      if (!ok) ctx.addIssue({ code: "custom", path: [path], message });
    };
    if (n.driver === "bridge" || n.driver === "ovs" || n.driver === "vxlan") {
      need(n.bridgeName !== undefined, "bridgeName", `a ${n.driver} network needs bridgeName`);
    }
    if (n.driver === "macvlan")
      need(n.uplink !== undefined, "uplink", "a macvlan network needs uplink (the parent)");
    if (n.driver === "vxlan") {
      need(n.vni !== undefined, "vni", "a vxlan network needs vni");
      need(n.vxlan !== undefined, "vxlan", "a vxlan network needs vxlan.localAddress and vxlan.peers");
    }
    if (n.vlan !== undefined) need(n.driver === "ovs", "vlan", "only ovs networks carry a VLAN tag");
  });
export type DesiredNetwork = z.infer<typeof desiredNetworkSchema>;

export const containerRuntimeSchema = z.enum(["docker", "netns"]);
export type ContainerRuntime = z.infer<typeof containerRuntimeSchema>;

/** The agent refuses a ref it cannot resolve safely; the API refuses the same refs (containerRefProblem). */
export const containerRefSchema = z
  .object({
    runtime: containerRuntimeSchema,
    /** Docker container id or name, or a named network namespace. */
    ref: z.string(),
  })
  .superRefine((c, ctx) => {
    const problem = containerRefProblem(c.runtime, c.ref);
    if (problem) ctx.addIssue({ code: "custom", path: ["ref"], message: problem });
  });
export type ContainerRef = z.infer<typeof containerRefSchema>;

export const desiredEndpointSchema = z.object({
  /** The attachment id. */
  id: idSchema,
  networkId: idSchema,
  container: containerRefSchema,
  ifname: interfaceNameSchema.default("eth1"),
  address: ipAddressSchema,
  /** Defaults to the network's prefixLength. */
  prefixLength: z.number().int().min(0).max(128).optional(),
  /** Defaults to a locally administered MAC derived from the endpoint id. */
  mac: macAddressSchema.optional(),
  setDefaultRoute: z.boolean().default(false),
});
export type DesiredEndpoint = z.infer<typeof desiredEndpointSchema>;

export const desiredStateSchema = z
  .object({
    serial: z.number().int().min(0),
    networks: z.array(desiredNetworkSchema),
    endpoints: z.array(desiredEndpointSchema),
  })
  .superRefine((s, ctx) => {
    const networks = new Set(s.networks.map((n) => n.id));
    const seen = new Set<string>();
    s.endpoints.forEach((e, i) => {
      if (!networks.has(e.networkId)) {
        ctx.addIssue({
          code: "custom",
          path: ["endpoints", i, "networkId"],
          message: `unknown network ${e.networkId}`,
        });
      }
      if (seen.has(e.id))
        ctx.addIssue({ code: "custom", path: ["endpoints", i, "id"], message: `duplicate endpoint ${e.id}` });
      seen.add(e.id);
    });
  });
export type DesiredState = z.infer<typeof desiredStateSchema>;
export type DesiredStateInput = z.input<typeof desiredStateSchema>;

export const endpointResultSchema = z.object({
  endpointId: idSchema,
  status: z.enum(["applied", "failed"]),
  /** The failing command's own error text when status is "failed". */
  error: z.string().nullable(),
  /** Host-side interface (veth host end); null for macvlan or when failed. */
  hostIfname: z.string().nullable(),
  /** Milliseconds the agent spent on this endpoint. */
  durationMs: z.number().nonnegative().optional(),
});
export type EndpointResult = z.infer<typeof endpointResultSchema>;

export const reconcileEventSchema = z.object({
  kind: z.enum(["created", "repaired", "removed", "error"]),
  endpointId: z.string().nullable(),
  networkId: z.string().nullable(),
  message: z.string(),
});
export type ReconcileEvent = z.infer<typeof reconcileEventSchema>;

export const desiredStateResultSchema = z.object({
  serial: z.number().int().min(0),
  results: z.array(endpointResultSchema),
  events: z.array(reconcileEventSchema),
});
export type DesiredStateResult = z.infer<typeof desiredStateResultSchema>;
