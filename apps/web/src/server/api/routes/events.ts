import { listReconcileEvents } from "@switchyard/control";
import { reconcileEventQuerySchema } from "@switchyard/protocol";
import { json, parseQuery } from "../http";
import { type Route, route } from "../router";

export const eventRoutes: Route[] = [
  /** { events: ReconcileEventRecord[] }: drift repaired and endpoints failed, newest first; ?host=&limit=. */
  route("GET", "/api/v1/events", async (ctx) => {
    await ctx.principal();
    const q = parseQuery(ctx.url, reconcileEventQuerySchema);
    return json({ events: await listReconcileEvents(ctx.services, q) });
  }),
];
