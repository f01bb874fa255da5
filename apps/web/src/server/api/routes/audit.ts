import { listAudit } from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import { implement } from "../implement";
import type { Route } from "../router";

export const auditRoutes: Route[] = [
  implement(apiRoutes.listAudit, (ctx, { principal, query }) => listAudit(ctx.services, principal, query)),
];
