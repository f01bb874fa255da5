import {
  actorOf,
  allocateAddress,
  createPool,
  getPool,
  listAllocations,
  listPools,
  poolForecast,
  releaseAddress,
} from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import { implement } from "../implement";
import { outlookSettingsOf } from "../outlook-settings";
import type { Route } from "../router";

export const poolRoutes: Route[] = [
  implement(apiRoutes.listPools, (ctx, { query }) => listPools(ctx.services, query, outlookSettingsOf(ctx))),

  implement(apiRoutes.createPool, (ctx, { principal, body }) =>
    createPool(ctx.services, actorOf(principal), body),
  ),

  implement(apiRoutes.getPool, (ctx, { params }) => getPool(ctx.services, params.id, outlookSettingsOf(ctx))),

  implement(apiRoutes.poolForecast, (ctx, { params }) =>
    poolForecast(ctx.services, params.id, outlookSettingsOf(ctx)),
  ),

  implement(apiRoutes.listAllocations, async (ctx, { params, query }) => ({
    allocations: await listAllocations(ctx.services, params.id, {
      heldOnly: query.state === "held",
      ...(query.hostId ? { hostId: query.hostId } : {}),
      ...(query.limit ? { limit: query.limit } : {}),
    }),
  })),

  // The path names the pool; a `pool` in the body is ignored.
  implement(apiRoutes.allocate, (ctx, { principal, params, body }) =>
    allocateAddress(ctx.services, actorOf(principal), { ...body, poolId: params.id, pool: undefined }),
  ),

  implement(apiRoutes.release, (ctx, { principal, params, body }) =>
    releaseAddress(ctx.services, actorOf(principal), {
      poolId: params.id,
      address: params.address,
      reason: body.reason,
    }),
  ),
];
