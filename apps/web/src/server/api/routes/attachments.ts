import {
  actorOf,
  attachContainer,
  detachAttachment,
  getAttachment,
  listAttachments,
  requireRole,
} from "@switchyard/control";
import { attachBodySchema, attachmentStatusSchema, detachBodySchema } from "@switchyard/protocol";
import { z } from "zod";
import { json, parseQuery, parseWith, readJson } from "../http";
import { type Route, route } from "../router";

const listQuerySchema = z.object({
  host: z.string().min(1).optional(),
  network: z.string().min(1).optional(),
  status: attachmentStatusSchema.optional(),
  /** "true": detached history too. */
  all: z.enum(["true", "false"]).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

export const attachmentRoutes: Route[] = [
  /** { attachments: Attachment[] }, newest first; ?host=&network=&status=&all=true&limit=. */
  route("GET", "/api/v1/attachments", async (ctx) => {
    await ctx.principal();
    const q = parseQuery(ctx.url, listQuerySchema);
    const attachments = await listAttachments(ctx.services, {
      host: q.host,
      network: q.network,
      status: q.status,
      all: q.all === "true",
      limit: q.limit,
    });
    return json({ attachments });
  }),

  /**
   * Body attachBodySchema; 201 { attachment, operation }; the host's agent gets its new desired state.
   * An `Idempotency-Key` header (or body idempotencyKey) makes a retry return the first attachment. operator+.
   */
  route("POST", "/api/v1/attachments", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const raw = await readJson(ctx.request);
    const key = ctx.request.headers.get("idempotency-key");
    const body = parseWith(
      attachBodySchema,
      key !== null && raw !== null && typeof raw === "object" ? { ...raw, idempotencyKey: key } : raw,
    );
    const change = await attachContainer(ctx.services, actorOf(principal), body);
    ctx.deps.hub.ledgerChanged?.({ attachments: [change.attachment], operations: [change.operation] });
    ctx.deps.hub.desiredStateChanged?.(change.hostIds);
    return json({ attachment: change.attachment, operation: change.operation }, 201);
  }),

  /** Attachment. */
  route("GET", "/api/v1/attachments/:id", async (ctx) => {
    await ctx.principal();
    return json(await getAttachment(ctx.services, ctx.params.id ?? ""));
  }),

  /** Body { reason? } (or ?reason=); 202 { attachment, operation } (detaching until the agent removed it). operator+. */
  route("DELETE", "/api/v1/attachments/:id", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const raw = await readJson(ctx.request);
    const reason = ctx.url.searchParams.get("reason");
    const body = parseWith(detachBodySchema, reason !== null ? { reason } : raw);
    const change = await detachAttachment(
      ctx.services,
      actorOf(principal),
      ctx.params.id ?? "",
      body.reason ?? null,
    );
    ctx.deps.hub.ledgerChanged?.({ attachments: [change.attachment], operations: [change.operation] });
    ctx.deps.hub.desiredStateChanged?.(change.hostIds);
    return json({ attachment: change.attachment, operation: change.operation }, 202);
  }),
];
