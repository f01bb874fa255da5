import { getOperation, listOperations } from "@switchyard/control";
import { operationListQuerySchema } from "@switchyard/protocol";
import { json, parseQuery } from "../http";
import { type Route, route } from "../router";

export const operationRoutes: Route[] = [
  /** { operations: Operation[] }, latest first; ?host=&network=&attachment=&status=&kind=&limit=. */
  route("GET", "/api/v1/operations", async (ctx) => {
    await ctx.principal();
    const q = parseQuery(ctx.url, operationListQuerySchema);
    return json({ operations: await listOperations(ctx.services, q) });
  }),

  /** Operation. */
  route("GET", "/api/v1/operations/:id", async (ctx) => {
    await ctx.principal();
    return json(await getOperation(ctx.services, ctx.params.id ?? ""));
  }),
];
