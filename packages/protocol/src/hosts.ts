import { z } from "zod";
import { inventorySchema } from "./inventory";
import { nextCursorSchema } from "./paging";
import { resourceNameSchema } from "./validators";

export const hostStatusSchema = z.enum(["pending", "online", "offline", "revoked"]);
export type HostStatus = z.infer<typeof hostStatusSchema>;

export const createHostBodySchema = z.object({
  name: resourceNameSchema,
  description: z.string().max(500).optional(),
});
export type CreateHostBody = z.infer<typeof createHostBodySchema>;

export const hostSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  status: hostStatusSchema,
  hostname: z.string().nullable(),
  agentVersion: z.string().nullable(),
  lastSeenAt: z.string().nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});
export type HostSummary = z.infer<typeof hostSummarySchema>;

/** GET /api/v1/hosts */
export const hostListSchema = z.object({ hosts: z.array(hostSummarySchema), nextCursor: nextCursorSchema });

export const revokeHostBodySchema = z.object({ reason: z.string().max(500).optional() });
export type HostList = z.infer<typeof hostListSchema>;

export const hostDetailSchema = hostSummarySchema.extend({
  inventory: inventorySchema.nullable(),
  inventoryReceivedAt: z.string().nullable(),
});
export type HostDetail = z.infer<typeof hostDetailSchema>;

/** GET /api/v1/hosts/:id: the detail and its agent credentials (re-enrollment rotates them). */
export const hostPageSchema = hostDetailSchema.extend({
  credentials: z.object({
    /** Credentials that still work (two only between a re-enrollment and the new one's first use). */
    active: z.number().int(),
    revoked: z.number().int(),
    /** The newest agent connection with any of them. */
    lastUsedAt: z.string().nullable(),
  }),
});
export type HostPage = z.infer<typeof hostPageSchema>;

export const enrollmentTokenSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
});

export const createdHostSchema = z.object({
  host: hostSummarySchema,
  enrollment: enrollmentTokenSchema,
});
export type CreatedHost = z.infer<typeof createdHostSchema>;

/** GET /api/v1/topology: everything the graph draws, in one response. */
const topologySchema = z.object({
  hosts: z.array(hostDetailSchema),
  generatedAt: z.string(),
});
export type Topology = z.infer<typeof topologySchema>;
/** GET /api/v1/topology: one page of it. */
export const topologyPageSchema = topologySchema.extend({ nextCursor: nextCursorSchema });
export type TopologyPage = z.infer<typeof topologyPageSchema>;
