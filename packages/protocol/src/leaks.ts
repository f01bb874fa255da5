import { z } from "zod";
import { allocationSchema } from "./ipam";
import { idSchema, interfaceNameSchema, ipAddressSchema, resourceNameSchema } from "./validators";

/**
 * Leaked addresses: what the check finds (every active allocation compared with what the agents see),
 * how findings are kept, probed, alerted on and released.
 */

export const leakKinds = [
  "host_offline",
  "container_gone",
  "interface_missing",
  "address_mismatch",
  "unknown_address",
  "duplicate_address",
] as const;
export const leakKindSchema = z.enum(leakKinds);
export type LeakKind = z.infer<typeof leakKindSchema>;

/**
 * pending: seen, not yet through the grace period (not alerted); open: raised (alerted);
 * resolved: disappeared by itself; released: its address was released by someone.
 */
export const leakStateSchema = z.enum(["pending", "open", "resolved", "released"]);
export type LeakState = z.infer<typeof leakStateSchema>;

/** One place an address was seen on a host (container interface, or a host interface when container is null). */
export const leakSightingSchema = z.object({
  hostId: z.string(),
  hostName: z.string().nullable(),
  container: z.string().nullable(),
  ifname: z.string(),
  address: z.string(),
  mac: z.string().nullable(),
});
export type LeakSighting = z.infer<typeof leakSightingSchema>;

/** Why the check believes what it reports: times and what the inventory showed. */
export const leakEvidenceSchema = z.object({
  detail: z.string(),
  hostStatus: z.string().nullable(),
  hostLastSeenAt: z.string().nullable(),
  inventoryCollectedAt: z.string().nullable(),
  inventoryReceivedAt: z.string().nullable(),
  /** Docker state of the container (running, exited, ...), null when not found. */
  containerState: z.string().nullable(),
  expected: z.object({ address: z.string(), mac: z.string().nullable(), ifname: z.string() }).nullable(),
  seen: z.array(leakSightingSchema),
});
export type LeakEvidence = z.infer<typeof leakEvidenceSchema>;

/** What an agent's duplicate-address probe (arping -D) saw. */
export const leakProbeResultSchema = z.object({
  at: z.string(),
  iface: z.string(),
  address: z.string(),
  /** true: something answered for the address (it is live somewhere on that segment). */
  answered: z.boolean(),
  macs: z.array(z.string()),
  output: z.string(),
  error: z.string().nullable(),
});
export type LeakProbeResult = z.infer<typeof leakProbeResultSchema>;

export const leakFindingSchema = z.object({
  id: z.string(),
  kind: leakKindSchema,
  state: leakStateSchema,
  poolId: z.string().nullable(),
  poolName: z.string().nullable(),
  address: z.string(),
  allocationId: z.string().nullable(),
  attachmentId: z.string().nullable(),
  networkId: z.string().nullable(),
  networkName: z.string().nullable(),
  hostId: z.string().nullable(),
  hostName: z.string().nullable(),
  /** "docker:con1" / "netns:c1" */
  container: z.string().nullable(),
  ifname: z.string().nullable(),
  evidence: leakEvidenceSchema,
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  raisedAt: z.string().nullable(),
  resolvedAt: z.string().nullable(),
  releasedAt: z.string().nullable(),
  releaseId: z.string().nullable(),
  probe: leakProbeResultSchema.nullable(),
  /** Can be released (an allocation-bound finding still open). */
  releasable: z.boolean(),
});
export type LeakFinding = z.infer<typeof leakFindingSchema>;

/** GET /api/v1/leaks: open findings (?state=live: open and pending; pending|resolved|released|all). */
/** `GET /leaks?state=`: "live" (default) is open + pending. */
export const leakListStateSchema = z.enum(["live", "pending", "open", "resolved", "released", "all"]);
export type LeakListState = z.infer<typeof leakListStateSchema>;
export const leakListQuerySchema = z.object({
  state: leakListStateSchema.default("live"),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
export type LeakListQuery = z.infer<typeof leakListQuerySchema>;

/** `GET /ipam/history?pool=&address=`. */
export const addressHistoryQuerySchema = z.object({
  pool: z.string().min(1, "pool is required"),
  address: z.string().min(1, "address is required"),
});

export const leakListSchema = z.object({
  findings: z.array(leakFindingSchema),
  open: z.number().int(),
  pending: z.number().int(),
  lastCheckAt: z.string().nullable(),
});
export type LeakList = z.infer<typeof leakListSchema>;

/** POST /api/v1/leaks/check. */
export const leakCheckResultSchema = z.object({
  checkedAt: z.string(),
  durationMs: z.number(),
  allocations: z.number().int(),
  hosts: z.number().int(),
  /** Findings seen by this run (any state but resolved/released). */
  seen: z.number().int(),
  raised: z.number().int(),
  resolved: z.number().int(),
  open: z.number().int(),
  pending: z.number().int(),
  findings: z.array(leakFindingSchema),
});
export type LeakCheckResult = z.infer<typeof leakCheckResultSchema>;

const reasonSchema = z.string().trim().min(1, "a reason is required").max(500);
const poolRefSchema = z.union([idSchema, resourceNameSchema]);
export const leakReleaseItemSchema = z.object({ pool: poolRefSchema, address: ipAddressSchema });
export type LeakReleaseItem = z.infer<typeof leakReleaseItemSchema>;

/** POST /api/v1/leaks/release: one ({pool, address, reason}) or many ({items, reason}). */
export const leakReleaseBodySchema = z
  .object({
    reason: reasonSchema,
    pool: poolRefSchema.optional(),
    address: ipAddressSchema.optional(),
    items: z.array(leakReleaseItemSchema).min(1).max(1000).optional(),
  })
  .superRefine((b, ctx) => {
    const single = b.pool !== undefined || b.address !== undefined;
    if (single && b.items)
      ctx.addIssue({ code: "custom", path: ["items"], message: "give either pool+address or items" });
    if (!single && !b.items)
      ctx.addIssue({ code: "custom", path: ["address"], message: "give pool and address (or items)" });
    if (single && (b.pool === undefined || b.address === undefined))
      ctx.addIssue({
        code: "custom",
        path: [b.pool === undefined ? "pool" : "address"],
        message: "pool and address go together",
      });
  });
export type LeakReleaseBody = z.infer<typeof leakReleaseBodySchema>;

export const leakReleaseRecordSchema = z.object({
  id: z.string(),
  poolId: z.string(),
  poolName: z.string().nullable(),
  address: z.string(),
  allocationId: z.string(),
  attachmentId: z.string().nullable(),
  hostId: z.string().nullable(),
  hostName: z.string().nullable(),
  findingIds: z.array(z.string()),
  reason: z.string(),
  releasedBy: z.string(),
  releasedAt: z.string(),
  reusableAt: z.string().nullable(),
  /** What the re-verification saw at that moment. */
  verification: z.string(),
  undoneAt: z.string().nullable(),
  undoneBy: z.string().nullable(),
  undoReason: z.string().nullable(),
});
export type LeakReleaseRecord = z.infer<typeof leakReleaseRecordSchema>;

export const leakReleaseOutcomeSchema = z.object({
  pool: z.string(),
  address: z.string(),
  ok: z.boolean(),
  release: leakReleaseRecordSchema.nullable(),
  error: z
    .object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() })
    .nullable(),
});
export type LeakReleaseOutcome = z.infer<typeof leakReleaseOutcomeSchema>;

export const leakReleaseResponseSchema = z.object({ results: z.array(leakReleaseOutcomeSchema) });
export type LeakReleaseResponse = z.infer<typeof leakReleaseResponseSchema>;

/** POST /api/v1/leaks/release/:id/undo */
export const leakUndoBodySchema = z.object({ reason: z.string().trim().max(500).optional() });

/** GET /api/v1/ipam/history?pool=P&address=A */
export const addressHistoryEventSchema = z.object({
  at: z.string(),
  kind: z.enum(["allocated", "released", "finding", "finding_resolved", "leak_release", "release_undone"]),
  actor: z.string().nullable(),
  reason: z.string().nullable(),
  summary: z.string(),
  hostId: z.string().nullable(),
  hostName: z.string().nullable(),
  refId: z.string().nullable(),
});
export type AddressHistoryEvent = z.infer<typeof addressHistoryEventSchema>;

export const addressHistorySchema = z.object({
  pool: z.object({ id: z.string(), name: z.string(), cidr: z.string() }),
  address: z.string(),
  allocations: z.array(allocationSchema),
  findings: z.array(leakFindingSchema),
  releases: z.array(leakReleaseRecordSchema),
  events: z.array(addressHistoryEventSchema),
});
export type AddressHistory = z.infer<typeof addressHistorySchema>;

/** server:probe (server -> agent, with ack): duplicate-address detection from the host. */
export const probeRequestSchema = z.object({
  address: ipAddressSchema,
  iface: interfaceNameSchema,
  count: z.number().int().min(1).max(10).default(2),
  timeoutMs: z.number().int().min(100).max(30_000).default(5_000),
  /** OVS networks: `iface` is the OVS bridge; the agent probes from a temporary internal port with this tag. */
  vlan: z.number().int().min(1).max(4094).optional(),
});
export type ProbeRequest = z.infer<typeof probeRequestSchema>;
export const probeAckSchema = z.union([
  z.object({
    ok: z.literal(true),
    answered: z.boolean(),
    macs: z.array(z.string()),
    output: z.string(),
  }),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type ProbeAck = z.infer<typeof probeAckSchema>;

/** leaks:changed on /ui: the open/pending counts after a check, release or probe. */
export const leaksChangedSchema = z.object({
  open: z.number().int(),
  pending: z.number().int(),
  changedIds: z.array(z.string()),
});
export type LeaksChanged = z.infer<typeof leaksChangedSchema>;

/** The JSON the webhook receives for each newly raised finding. */
export const leakWebhookPayloadSchema = z.object({
  event: z.literal("leak.raised"),
  finding: leakFindingSchema,
  sentBy: z.literal("switchyard"),
});
export type LeakWebhookPayload = z.infer<typeof leakWebhookPayloadSchema>;
