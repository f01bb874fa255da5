import { getOperation, listOperations, listReconcileEvents } from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import { implement } from "../implement";
import type { Route } from "../router";

export const operationRoutes: Route[] = [
  implement(apiRoutes.listOperations, async (ctx, { query }) => ({
    operations: await listOperations(ctx.services, query),
  })),

  implement(apiRoutes.getOperation, (ctx, { params }) => getOperation(ctx.services, params.id)),

  implement(apiRoutes.listEvents, async (ctx, { query }) => ({
    events: await listReconcileEvents(ctx.services, query),
  })),
];
