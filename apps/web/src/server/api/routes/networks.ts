import { actorOf, createNetwork, deleteNetwork, getNetwork, listNetworks } from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import { implement } from "../implement";
import type { Route } from "../router";

export const networkRoutes: Route[] = [
  implement(apiRoutes.listNetworks, (ctx, { query }) => listNetworks(ctx.services, query)),

  implement(apiRoutes.createNetwork, async (ctx, { principal, body }) => {
    const network = await createNetwork(ctx.services, actorOf(principal), body);
    ctx.deps.hub.networkChanged(network.id, network);
    return network;
  }),

  implement(apiRoutes.getNetwork, (ctx, { params }) => getNetwork(ctx.services, params.id)),

  implement(apiRoutes.deleteNetwork, async (ctx, { principal, params, body }) => {
    const network = await deleteNetwork(ctx.services, actorOf(principal), params.id, body.reason ?? null);
    ctx.deps.hub.networkChanged(network.id, null);
    return network;
  }),
];
