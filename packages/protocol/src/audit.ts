import { z } from "zod";

/** One entry of the audit log (append-only): who did what to which object, when and why. */
export const auditEventSchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.object({
    type: z.string(),
    id: z.string().nullable(),
    name: z.string().nullable(),
  }),
  /** "attachment.attach", "user.disable", ... (the part before the dot is the kind of object). */
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  reason: z.string().nullable(),
  details: z.unknown().nullable(),
  /** The host, network and address the entry concerns, when it concerns one. */
  hostId: z.string().nullable(),
  networkId: z.string().nullable(),
  address: z.string().nullable(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

const filterText = z.string().trim().min(1).max(300).optional();

/**
 * GET /api/v1/audit, newest first. `actor`: an e-mail or actor id; `kind`: an action
 * ("attachment.attach") or its object kind ("attachment"); `host` / `network`: id or name;
 * `target`: the object's id (an attachment, a user, ...); `from` / `to`: ISO times (from inclusive,
 * to exclusive); `cursor`: the previous page's `nextCursor`.
 */
export const auditQuerySchema = z
  .object({
    actor: filterText,
    kind: z
      .string()
      .trim()
      .regex(/^[a-z_]+(\.[a-z_]+)?$/, "an action (attachment.attach) or a kind (attachment)")
      .optional(),
    host: filterText,
    network: filterText,
    address: filterText,
    target: filterText,
    from: z.iso.datetime({ offset: true, message: "an ISO 8601 time" }).optional(),
    to: z.iso.datetime({ offset: true, message: "an ISO 8601 time" }).optional(),
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,200}$/, "not a cursor from a previous page")
      .optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
  })
  .strict()
  .refine((q) => !(q.from && q.to) || Date.parse(q.from) < Date.parse(q.to), {
    message: "from must be before to",
    path: ["from"],
  });
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditPageSchema = z.object({
  events: z.array(auditEventSchema),
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  nextCursor: z.string().nullable(),
});
export type AuditPage = z.infer<typeof auditPageSchema>;
