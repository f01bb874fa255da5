import { z } from "zod";
import { type ContainerRuntime, containerRefSchema, containerRuntimeSchema } from "./desired-state";
import { operationSchema } from "./operations";
import { containerRefProblem, interfaceNameSchema, ipAddressSchema, macAddressSchema } from "./validators";

/**
 * Attachments: one container attached to one network on one host (an endpoint of the host's desired
 * state). Requested through the API, applied by the host's agent, tracked by an operation.
 */

/**
 * A container as text: `docker:NAME-OR-ID`, `netns:NAME`, or a bare name. A bare name means the named
 * network namespace when the host's latest inventory lists a namespace of that name, Docker otherwise,
 * so it must be valid as both: a Docker name (which every such name is also as a namespace).
 */
export const containerTextSchema = z
  .string()
  .min(1, "container is required")
  .superRefine((text, ctx) => {
    const prefixed = /^(docker|netns):/.exec(text);
    const runtime = (prefixed?.[1] as ContainerRuntime | undefined) ?? "docker";
    const problem = containerRefProblem(runtime, prefixed ? text.slice(prefixed[0].length) : text);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** Splits `docker:X` / `netns:X`; a bare name gives runtime null (resolved against the host inventory). */
export function parseContainerText(text: string): {
  runtime: ContainerRuntime | null;
  ref: string;
} {
  const m = /^(docker|netns):(.+)$/.exec(text);
  if (m?.[1] && m[2]) return { runtime: m[1] as ContainerRuntime, ref: m[2] };
  return { runtime: null, ref: text };
}

export const attachmentStatusSchema = z.enum(["pending", "applied", "failed", "detaching", "detached"]);
export type AttachmentStatus = z.infer<typeof attachmentStatusSchema>;

/** Statuses of an attachment that still holds its address and its (host, container, ifname) slot. */
export const ACTIVE_ATTACHMENT_STATUSES = ["pending", "applied", "failed", "detaching"] as const;
/** Statuses of an attachment its host should have (its desired state lists the endpoint). */
export const WANTED_ATTACHMENT_STATUSES = ["pending", "applied", "failed"] as const;

/** An attach's retry key (body `idempotencyKey` or the `Idempotency-Key` header). */
export const idempotencyKeySchema = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces");

/**
 * POST /api/v1/attachments. `host` and `network` are ids or names; `container` an object
 * `{ runtime, ref }` or text (see containerTextSchema). `address` asks IPAM for that exact address;
 * `stickyKey` gets the key's previous address back while it is free.
 */
export const attachBodySchema = z.object({
  host: z.string().min(1, "host is required").max(255),
  container: z.union([containerRefSchema, containerTextSchema], {
    message: "container must be { runtime, ref } or text such as docker:NAME or netns:NAME",
  }),
  network: z.string().min(1, "network is required").max(255),
  address: ipAddressSchema.optional(),
  mac: macAddressSchema.optional(),
  ifname: interfaceNameSchema.default("eth1"),
  setDefaultRoute: z.boolean().default(false),
  stickyKey: z.string().min(1).max(253).optional(),
  reason: z.string().min(1).max(500).optional(),
  /**
   * Makes the request safe to retry: the same key (per caller) with the same body returns the first
   * attempt's attachment instead of a second one. REST also takes it as the `Idempotency-Key` header.
   */
  idempotencyKey: idempotencyKeySchema.optional(),
});
export type AttachBody = z.output<typeof attachBodySchema>;
export type AttachInput = z.input<typeof attachBodySchema>;

/** DELETE /api/v1/attachments/:id body (optional). */
export const detachBodySchema = z.object({ reason: z.string().min(1).max(500).optional() });
export type DetachBody = z.infer<typeof detachBodySchema>;

export const attachmentSchema = z.object({
  id: z.string(),
  networkId: z.string(),
  networkName: z.string(),
  hostId: z.string(),
  hostName: z.string(),
  /** As stored: a response is not re-validated (an attachment made under older rules still lists). */
  container: z.object({ runtime: containerRuntimeSchema, ref: z.string() }),
  ifname: z.string(),
  address: z.string(),
  prefixLength: z.number().int(),
  /** Requested MAC; null = derived by the agent from the attachment id. */
  mac: z.string().nullable(),
  setDefaultRoute: z.boolean(),
  stickyKey: z.string().nullable(),
  status: attachmentStatusSchema,
  /** The agent's error text when status is failed (or the last failed try). */
  error: z.string().nullable(),
  /** Host-side interface (veth host end) once applied; null for macvlan. */
  hostIfname: z.string().nullable(),
  poolId: z.string(),
  allocationId: z.string().nullable(),
  reason: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.string().nullable(),
  appliedAt: z.string().nullable(),
  detachRequestedAt: z.string().nullable(),
  detachedAt: z.string().nullable(),
});
export type Attachment = z.infer<typeof attachmentSchema>;

/** GET /api/v1/attachments?host=&network=&status=&all=true (detached ones only with all=true). */
export const attachmentListSchema = z.object({ attachments: z.array(attachmentSchema) });
export type AttachmentList = z.infer<typeof attachmentListSchema>;

/** `GET /attachments`; `all=true` adds detached history. */
export const attachmentListQuerySchema = z.object({
  host: z.string().min(1).optional(),
  network: z.string().min(1).optional(),
  status: attachmentStatusSchema.optional(),
  all: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
export type AttachmentListQuery = z.infer<typeof attachmentListQuerySchema>;

/** 201 of POST /api/v1/attachments and 202 of DELETE /api/v1/attachments/:id. */
export const attachmentOperationSchema = z.object({
  attachment: attachmentSchema,
  operation: operationSchema,
});
export type AttachmentOperation = z.infer<typeof attachmentOperationSchema>;
