import { z } from "zod";
import { reconcileEventRecordSchema } from "./operations";

/**
 * Drift: where what a host's latest inventory shows differs from what Switchyard wants there. Derived
 * by the control plane (packages/control/src/topology/drift.ts) from the desired endpoints and the
 * inventory; the agent repairs it on its own (or, with `--drift-repair report`, when asked).
 */
export const driftKinds = [
  /** An applied endpoint's veth (or macvlan) is not there: the container side, the host end, or both. */
  "missing_veth",
  /** The host end is not a port of the network's bridge (Linux or OVS), or the trunk uplink is not on it. */
  "missing_port",
  /** The endpoint's OVS access port carries another tag than the network's VLAN. */
  "wrong_tag",
  /** The OVS bridge's uplink trunk does not carry the network's VLAN. */
  "vlan_not_on_trunk",
  /** An interface that is not the endpoint's carries an address Switchyard assigned. */
  "unknown_interface_with_managed_address",
  /** The agent failed the endpoint (its error is `actual`). */
  "failed",
] as const;
export const driftKindSchema = z.enum(driftKinds);
export type DriftKind = z.infer<typeof driftKindSchema>;

export const driftItemSchema = z.object({
  kind: driftKindSchema,
  /** The attachment (endpoint) concerned; null for a network-level item (a trunk) or an unknown interface. */
  attachmentId: z.string().nullable(),
  networkId: z.string().nullable(),
  /** The container as the attachment names it, `runtime:ref` (`docker:web`, `netns:lab1`). */
  container: z.string().nullable(),
  /** The inventory's id of that container when the inventory shows it (the map's container node). */
  containerId: z.string().nullable(),
  /** The interface inside the container. */
  ifname: z.string().nullable(),
  /** The Linux or OVS bridge concerned. */
  bridge: z.string().nullable(),
  /** The host-side port concerned (the veth host end `sy…h`, or the trunk uplink). */
  port: z.string().nullable(),
  expected: z.string().nullable(),
  actual: z.string().nullable(),
  /** One line for people. */
  text: z.string(),
});
export type DriftItem = z.infer<typeof driftItemSchema>;

/** GET /api/v1/hosts/:id/drift: the host's drift items and its agent's recent repairs next to them. */
export const hostDriftSchema = z.object({
  hostId: z.string(),
  hostName: z.string(),
  /** When the inventory compared arrived (null: none yet, so only failed endpoints can be told). */
  inventoryReceivedAt: z.string().nullable(),
  items: z.array(driftItemSchema),
  /** The host's latest reconcile events (repaired, error), newest first. */
  events: z.array(reconcileEventRecordSchema),
});
export type HostDrift = z.infer<typeof hostDriftSchema>;

/**
 * How an agent treats drift (`--drift-repair`): `auto` repairs it at once (host events) and on the
 * reconcile interval; `report` leaves it for people to see and repairs only when asked ("Repair now").
 */
export const driftRepairModeSchema = z.enum(["auto", "report"]);
export type DriftRepairMode = z.infer<typeof driftRepairModeSchema>;

/** The protocol minor whose agents answer server:repair. */
export const REPAIR_PROTOCOL_MINOR = 2;

/** server:repair: verify the whole host now, repairing drift (also in `report` mode). */
export const repairRequestSchema = z.object({});
export type RepairRequest = z.infer<typeof repairRequestSchema>;
export const repairAckSchema = z.object({
  mode: driftRepairModeSchema,
  /** false: the agent has no desired state yet, so there is nothing to verify. */
  started: z.boolean(),
});
export type RepairAck = z.infer<typeof repairAckSchema>;

/** POST /api/v1/hosts/:id/repair: what the host's agent answered. */
export const hostRepairSchema = z.object({
  hostId: z.string(),
  mode: driftRepairModeSchema,
  started: z.boolean(),
});
export type HostRepair = z.infer<typeof hostRepairSchema>;
