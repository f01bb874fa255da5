import {
  actorOf,
  createHost,
  getHost,
  getHostDrift,
  getTopology,
  issueEnrollmentToken,
  listHosts,
  requestHostRepair,
  revokeHost,
} from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import { implement } from "../implement";
import type { Route } from "../router";

export const hostRoutes: Route[] = [
  implement(apiRoutes.listHosts, (ctx, { query }) => listHosts(ctx.services, query)),

  implement(apiRoutes.createHost, async (ctx, { principal, body }) => {
    const created = await createHost(ctx.services, actorOf(principal), body, {
      enrollmentTtlMs: ctx.deps.config.enrollmentTtlMs,
    });
    ctx.deps.hub.hostChanged(created.host);
    return created;
  }),

  implement(apiRoutes.getHost, (ctx, { params }) => getHost(ctx.services, params.id)),

  implement(apiRoutes.hostDrift, (ctx, { params }) => getHostDrift(ctx.services, params.id)),

  implement(apiRoutes.repairHost, (ctx, { principal, params }) =>
    requestHostRepair(ctx.services, actorOf(principal), params.id, (hostId) =>
      ctx.deps.hub.repairHost(hostId),
    ),
  ),

  implement(apiRoutes.issueEnrollmentToken, (ctx, { principal, params }) =>
    issueEnrollmentToken(ctx.services, actorOf(principal), params.id, {
      enrollmentTtlMs: ctx.deps.config.enrollmentTtlMs,
    }),
  ),

  implement(apiRoutes.revokeHost, async (ctx, { principal, params, body }) => {
    const host = await revokeHost(ctx.services, actorOf(principal), params.id, body.reason);
    ctx.deps.hub.disconnectHost(host.id);
    ctx.deps.hub.hostChanged(host);
    return host;
  }),

  implement(apiRoutes.topology, (ctx, { query }) => getTopology(ctx.services, query)),
];
