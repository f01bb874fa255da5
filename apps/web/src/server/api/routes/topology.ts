import { getFleetSummary, searchFleet, testTrace } from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import { implement } from "../implement";
import type { Route } from "../router";

/** The map at fleet scale (protocol topology.ts): small per-host rows and a search, never whole inventories. */
export const topologyRoutes: Route[] = [
  implement(apiRoutes.fleetSummary, (ctx, { query }) =>
    getFleetSummary(ctx.services, query.hosts ? { hostIds: query.hosts } : {}),
  ),
  implement(apiRoutes.fleetSearch, (ctx, { query }) => searchFleet(ctx.services, query.q)),
  // The trace's test: both agents ping, wherever their sockets are (the hub asks every replica).
  implement(apiRoutes.testTrace, (ctx, { body }) =>
    testTrace(ctx.services, body, (hostId, request) => ctx.deps.hub.pingFrom(hostId, request)),
  ),
];
