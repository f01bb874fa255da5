import { z } from "zod";

/**
 * The operations ledger: every attach and detach request, pending -> sent -> applied, or failed with the
 * agent's error text. `pending`: recorded, not yet pushed (e.g. the host is offline); `sent`: in a
 * desired state pushed to the agent; `applied` / `failed`: the agent acknowledged a state that covers it.
 */

export const operationKindSchema = z.enum(["attach", "detach"]);
export type OperationKind = z.infer<typeof operationKindSchema>;

export const operationStatusSchema = z.enum(["pending", "sent", "applied", "failed"]);
export type OperationStatus = z.infer<typeof operationStatusSchema>;

export const operationSchema = z.object({
  id: z.string(),
  kind: operationKindSchema,
  attachmentId: z.string(),
  hostId: z.string(),
  hostName: z.string(),
  networkId: z.string(),
  networkName: z.string(),
  status: operationStatusSchema,
  /** The agent's error text when failed. */
  error: z.string().nullable(),
  /** Who asked (user e-mail, token owner, "system"). */
  requestedBy: z.string().nullable(),
  reason: z.string().nullable(),
  /** The host's desired serial that first carries this request. */
  serial: z.number().int(),
  /** The agent's own time for this endpoint, when it reported one. */
  durationMs: z.number().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type Operation = z.infer<typeof operationSchema>;

export const FINISHED_OPERATION_STATUSES = ["applied", "failed"] as const;

/** GET /api/v1/operations?host=&attachment=&status=&kind=&limit= (latest first). */
export const operationListQuerySchema = z.object({
  host: z.string().min(1).optional(),
  attachment: z.string().min(1).optional(),
  network: z.string().min(1).optional(),
  status: operationStatusSchema.optional(),
  kind: operationKindSchema.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type OperationListQuery = z.infer<typeof operationListQuerySchema>;

export const operationListSchema = z.object({ operations: z.array(operationSchema) });
export type OperationList = z.infer<typeof operationListSchema>;

/**
 * What agents reported beyond applying the desired state: drift they repaired (a veth deleted by
 * hand, an OVS tag changed) and endpoints they failed. GET /api/v1/events.
 */
export const reconcileEventRecordSchema = z.object({
  id: z.string(),
  at: z.string(),
  kind: z.enum(["repaired", "error"]),
  hostName: z.string(),
  attachmentId: z.string().nullable(),
  serial: z.number().int().nullable(),
  message: z.string(),
});
export type ReconcileEventRecord = z.infer<typeof reconcileEventRecordSchema>;
export const reconcileEventListSchema = z.object({ events: z.array(reconcileEventRecordSchema) });
export type ReconcileEventList = z.infer<typeof reconcileEventListSchema>;
export const reconcileEventQuerySchema = z.object({
  host: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export type ReconcileEventQuery = z.infer<typeof reconcileEventQuerySchema>;
