import {
  actorOf,
  attachContainer,
  detachAttachment,
  getAttachment,
  listAttachments,
} from "@switchyard/control";
import { apiRoutes, idempotencyKeySchema } from "@switchyard/protocol";
import { parseWith } from "../http";
import { implement } from "../implement";
import type { Route } from "../router";

export const attachmentRoutes: Route[] = [
  implement(apiRoutes.listAttachments, async (ctx, { query }) => ({
    attachments: await listAttachments(ctx.services, { ...query, all: query.all === "true" }),
  })),

  implement(apiRoutes.attach, async (ctx, { principal, body }) => {
    // The header is the usual place for an idempotency key; the body's field serves clients that cannot set one.
    const header = ctx.request.headers.get("idempotency-key");
    const idempotencyKey =
      header === null ? body.idempotencyKey : parseWith(idempotencyKeySchema, header, "idempotency-key");
    const change = await attachContainer(ctx.services, actorOf(principal), { ...body, idempotencyKey });
    ctx.deps.hub.ledgerChanged({ attachments: [change.attachment], operations: [change.operation] });
    ctx.deps.hub.desiredStateChanged(change.hostIds);
    return { attachment: change.attachment, operation: change.operation };
  }),

  implement(apiRoutes.getAttachment, (ctx, { params }) => getAttachment(ctx.services, params.id)),

  implement(apiRoutes.detach, async (ctx, { principal, params, body }) => {
    const change = await detachAttachment(ctx.services, actorOf(principal), params.id, body.reason ?? null);
    ctx.deps.hub.ledgerChanged({ attachments: [change.attachment], operations: [change.operation] });
    ctx.deps.hub.desiredStateChanged(change.hostIds);
    return { attachment: change.attachment, operation: change.operation };
  }),
];
