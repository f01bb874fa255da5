import { AddressError, isPowerOfTwo, parseAddress, parseCidr, planPool } from "@switchyard/ipam";
import { z } from "zod";
import { nextCursorSchema } from "./paging";
import { idSchema, ipAddressSchema, resourceNameSchema, subnetProblem } from "./validators";

/** Canonical address text (IPv6 compressed per RFC 5952). */
const addressTextSchema = ipAddressSchema;

export const addressRangeSchema = z.object({
  first: addressTextSchema,
  /** Inclusive; omitted means the single address `first`. */
  last: addressTextSchema.optional(),
});
export type AddressRange = z.infer<typeof addressRangeSchema>;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** POST /api/v1/pools. Semantic checks (host bits, gateway and ranges inside, block size) name the field. */
export const createPoolBodySchema = z
  .object({
    name: resourceNameSchema,
    cidr: z.string().min(1, "cidr is required"),
    gateway: addressTextSchema.nullish(),
    blockSize: z
      .number()
      .int("block size must be an integer")
      .min(1)
      .max(2 ** 30)
      .default(16),
    reserved: z.array(addressRangeSchema).max(1000).default([]),
    allowBorrow: z.boolean().default(false),
    cooldownSeconds: z
      .number()
      .int()
      .min(0)
      .max(7 * 86400)
      .default(60),
    blockGraceSeconds: z
      .number()
      .int()
      .min(0)
      .max(30 * 86400)
      .default(300),
    description: z.string().max(500).optional(),
  })
  .superRefine((body, ctx) => {
    let size: bigint;
    try {
      const cidr = parseCidr(body.cidr);
      const problem = subnetProblem(cidr);
      if (problem) {
        ctx.addIssue({ code: "custom", path: ["cidr"], message: problem });
        return;
      }
      size = cidr.size;
    } catch (err) {
      ctx.addIssue({ code: "custom", path: ["cidr"], message: messageOf(err) });
      return;
    }
    if (!isPowerOfTwo(BigInt(body.blockSize))) {
      ctx.addIssue({ code: "custom", path: ["blockSize"], message: "block size must be a power of two" });
    } else if (BigInt(body.blockSize) > size) {
      ctx.addIssue({
        code: "custom",
        path: ["blockSize"],
        message: `block size must be at most the pool size (${size})`,
      });
    }
    const check = (path: (string | number)[], fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        ctx.addIssue({ code: "custom", path, message: messageOf(err) });
      }
    };
    const settings = { cidr: body.cidr, gateway: null, blockSize: 1, reserved: [] };
    if (body.gateway) check(["gateway"], () => planPool({ ...settings, gateway: body.gateway ?? null }));
    body.reserved.forEach((r, i) => {
      check(["reserved", i], () => planPool({ ...settings, reserved: [r] }));
    });
  });
export type CreatePoolBody = z.output<typeof createPoolBodySchema>;
/** What a caller sends: fields with defaults may be omitted. */
export type CreatePoolInput = z.input<typeof createPoolBodySchema>;

export const poolSchema = z.object({
  id: z.string(),
  name: z.string(),
  cidr: z.string(),
  family: z.union([z.literal(4), z.literal(6)]),
  gateway: z.string().nullable(),
  /** As requested; `effectiveBlockSize` is clamped to the pool. */
  blockSize: z.number(),
  effectiveBlockSize: z.string(),
  reserved: z.array(z.object({ first: z.string(), last: z.string() })),
  allowBorrow: z.boolean(),
  cooldownSeconds: z.number(),
  blockGraceSeconds: z.number(),
  description: z.string().nullable(),
  createdAt: z.string(),
});
export type Pool = z.infer<typeof poolSchema>;

/** Counts that may exceed 2^53 (IPv6) are decimal strings. */
export const poolUsageSchema = z.object({
  size: z.string(),
  usable: z.string(),
  allocated: z.number(),
  coolingDown: z.number(),
  free: z.string(),
  blocksTotal: z.string(),
  blocksClaimed: z.number(),
  blocksFree: z.string(),
  hosts: z.array(
    z.object({
      hostId: z.string().nullable(),
      hostName: z.string().nullable(),
      blocks: z.number(),
      allocated: z.number(),
      capacity: z.number(),
    }),
  ),
});
export type PoolUsage = z.infer<typeof poolUsageSchema>;

export const poolBlockSchema = z.object({
  index: z.string(),
  first: z.string(),
  last: z.string(),
  hostId: z.string().nullable(),
  hostName: z.string().nullable(),
  claimedAt: z.string(),
  emptySince: z.string().nullable(),
  allocated: z.number(),
  coolingDown: z.number(),
  usable: z.number(),
});
export type PoolBlock = z.infer<typeof poolBlockSchema>;

/** What runs out first: free addresses, free blocks, or the room of a host that can claim no block. */
export const poolExhaustionReasonSchema = z.enum(["addresses", "blocks", "hosts"]);
export type PoolExhaustionReason = z.infer<typeof poolExhaustionReasonSchema>;

/** A host's blocks in a pool and how fast it fills them. */
export const poolHostOutlookSchema = z.object({
  hostId: z.string().nullable(),
  hostName: z.string().nullable(),
  blocks: z.number(),
  /** Usable addresses in the host's blocks. */
  capacity: z.number(),
  /** Addresses of its blocks held (allocated or cooling down). */
  held: z.number(),
  /** Net addresses per hour taken in its blocks over the rate window. */
  ratePerHour: z.number(),
  /** When its blocks are full at that rate (now when they are); null when they are not filling. */
  fullAt: z.string().nullable(),
});
export type PoolHostOutlook = z.infer<typeof poolHostOutlookSchema>;

/** The forecast of a pool at its recent rate. */
export const poolOutlookSchema = z.object({
  computedAt: z.string(),
  /** The history the rates are taken over: the last 24 h, or the pool's life when shorter. */
  rateWindowSeconds: z.number(),
  /** Net addresses per hour (allocated minus released) over the rate window. */
  ratePerHour: z.number(),
  /** When free addresses reach 0 at that rate (computedAt when none is free); null when not growing. */
  exhaustsAt: z.string().nullable(),
  /** Blocks claimed per hour over the window (of the blocks still claimed: returned ones are not counted). */
  blockRatePerHour: z.number(),
  /** When the last free block is claimed at that rate (computedAt when none is free); null when none are claimed. */
  blocksExhaustAt: z.string().nullable(),
  /**
   * With no free block left: hosts whose blocks are full (their next allocation fails unless the pool
   * allows borrowing) or fill within the alert horizon at their own rate, soonest first.
   */
  hostsWithoutFreeBlock: z.array(poolHostOutlookSchema),
  /** The earliest forecast failure of an allocation and what causes it; null when nothing runs out. */
  failsAt: z.string().nullable(),
  failsBecause: poolExhaustionReasonSchema.nullable(),
});
export type PoolOutlook = z.infer<typeof poolOutlookSchema>;

/** An open exhaustion episode: raised once (UI, metric, webhook) when `failsAt` came within the horizon. */
export const poolExhaustionAlertSchema = z.object({
  id: z.string(),
  raisedAt: z.string(),
  failsAt: z.string(),
  reason: poolExhaustionReasonSchema,
});
export type PoolExhaustionAlert = z.infer<typeof poolExhaustionAlertSchema>;

export const poolSummarySchema = poolSchema.extend({
  usage: poolUsageSchema,
  outlook: poolOutlookSchema,
  alert: poolExhaustionAlertSchema.nullable(),
});
export type PoolSummary = z.infer<typeof poolSummarySchema>;

/** GET /api/v1/pools/:id: the pool, its usage and its block map. */
export const poolDetailSchema = poolSummarySchema.extend({ blocks: z.array(poolBlockSchema) });
export type PoolDetail = z.infer<typeof poolDetailSchema>;

/** GET /api/v1/pools/:id/forecast: usage over time, the forecast and every host's blocks. */
export const poolForecastSchema = z.object({
  pool: z.object({ id: z.string(), name: z.string(), cidr: z.string(), allowBorrow: z.boolean() }),
  /** POOL_EXHAUSTION_HORIZON: an alert is raised when `outlook.failsAt` is this close. */
  horizonSeconds: z.number(),
  usable: z.string(),
  free: z.string(),
  blocksTotal: z.string(),
  blocksFree: z.string(),
  /** Active addresses at `start` and at the end of every bucket up to now (at most 169 points). */
  series: z.object({
    start: z.string(),
    bucketSeconds: z.number(),
    points: z.array(z.object({ at: z.string(), held: z.number() })),
  }),
  outlook: poolOutlookSchema,
  /** Every host with blocks in the pool, by name. */
  hosts: z.array(poolHostOutlookSchema),
  alert: poolExhaustionAlertSchema.nullable(),
});
export type PoolForecast = z.infer<typeof poolForecastSchema>;

/** The JSON LEAK_WEBHOOK_URL receives once per exhaustion episode. */
export const poolExhaustionWebhookPayloadSchema = z.object({
  event: z.literal("pool.exhaustion"),
  pool: z.object({ id: z.string(), name: z.string(), cidr: z.string() }),
  alert: poolExhaustionAlertSchema,
  outlook: poolOutlookSchema,
  sentBy: z.literal("switchyard"),
});
export type PoolExhaustionWebhookPayload = z.infer<typeof poolExhaustionWebhookPayloadSchema>;

const stickyKeySchema = z.string().min(1).max(253);
const reasonSchema = z.string().min(1).max(500);

/** POST /api/v1/pools/:id/allocations (the path names the pool); services also accept poolId or pool name. */
export const allocateBodySchema = z.object({
  poolId: idSchema.optional(),
  pool: resourceNameSchema.optional(),
  hostId: idSchema,
  /** An explicit address: must be in the subnet, not reserved, not held. */
  address: addressTextSchema.optional(),
  /** The same key asking the same pool again gets its previous address back while nobody else holds it. */
  stickyKey: stickyKeySchema.optional(),
  reason: reasonSchema.optional(),
  networkId: idSchema.optional(),
  endpointId: idSchema.optional(),
});
export type AllocateBody = z.infer<typeof allocateBodySchema>;

export const allocationStateSchema = z.enum(["active", "cooling", "released"]);
export type AllocationState = z.infer<typeof allocationStateSchema>;

export const allocationSourceSchema = z.enum(["block", "borrowed", "explicit", "sticky"]);
export type AllocationSource = z.infer<typeof allocationSourceSchema>;

export const allocationSchema = z.object({
  id: z.string(),
  poolId: z.string(),
  address: z.string(),
  /** Prefix length of the pool, so `address/prefix` is what goes on the interface. */
  prefix: z.number(),
  gateway: z.string().nullable(),
  hostId: z.string().nullable(),
  blockIndex: z.string(),
  source: allocationSourceSchema,
  state: allocationStateSchema,
  stickyKey: z.string().nullable(),
  networkId: z.string().nullable(),
  endpointId: z.string().nullable(),
  allocatedAt: z.string(),
  allocatedBy: z.string().nullable(),
  reason: z.string().nullable(),
  releasedAt: z.string().nullable(),
  releasedBy: z.string().nullable(),
  releaseReason: z.string().nullable(),
  reusableAt: z.string().nullable(),
});
export type Allocation = z.infer<typeof allocationSchema>;

/** DELETE /api/v1/pools/:id/allocations/:address: why the address is released (kept in history). */
export const releaseBodySchema = z.object({ reason: reasonSchema });
export type ReleaseBody = z.infer<typeof releaseBodySchema>;

export const poolListSchema = z.object({ pools: z.array(poolSummarySchema), nextCursor: nextCursorSchema });
export type PoolList = z.infer<typeof poolListSchema>;
export const allocationListSchema = z.object({ allocations: z.array(allocationSchema) });

/** `GET /pools/:id/allocations`: "held" (default) is active and cooling down; "all" is history too. */
export const allocationListQuerySchema = z.object({
  state: z.enum(["held", "all"]).default("held"),
  hostId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

/** True when `text` parses as an address (for path parameters). */
export function isAddressText(text: string): boolean {
  try {
    parseAddress(text);
    return true;
  } catch (err) {
    if (err instanceof AddressError) return false;
    throw err;
  }
}
