import { z } from "zod";
import { attachmentSchema } from "./attachments";
import { reconcileEventSchema } from "./desired-state";
import { hostSummarySchema } from "./hosts";
import { networkSchema } from "./networks";
import { operationSchema } from "./operations";

/** Socket event names on /ui, server -> browser. Payloads only name what changed; the UI refetches. */
export const UiEvents = {
  hostChanged: "host:changed",
  inventoryChanged: "inventory:changed",
  /** { operation }: an operation was created or changed status. */
  operationChanged: "operation:changed",
  /** { attachment }: an attachment was created or changed status (also when detached). */
  attachmentChanged: "attachment:changed",
  /** { networkId, network }: created (network set) or deleted (network null). */
  networkChanged: "network:changed",
  /** { hostId, serial, events }: what an agent's reconcile repaired or failed at (drift, errors). */
  reconcileEvents: "host:reconcile-events",
  /** LeaksChanged (leaks.ts): findings raised, resolved, released or probed. */
  leaksChanged: "leaks:changed",
} as const;

export const hostChangedSchema = z.object({ host: hostSummarySchema });
export const inventoryChangedSchema = z.object({ hostId: z.string(), receivedAt: z.string() });
export const operationChangedSchema = z.object({ operation: operationSchema });
export type OperationChanged = z.infer<typeof operationChangedSchema>;
export const attachmentChangedSchema = z.object({ attachment: attachmentSchema });
export type AttachmentChanged = z.infer<typeof attachmentChangedSchema>;
export const networkChangedSchema = z.object({ networkId: z.string(), network: networkSchema.nullable() });
export type NetworkChanged = z.infer<typeof networkChangedSchema>;
export const reconcileEventsSchema = z.object({
  hostId: z.string(),
  serial: z.number().int(),
  events: z.array(reconcileEventSchema),
});
export type ReconcileEvents = z.infer<typeof reconcileEventsSchema>;
