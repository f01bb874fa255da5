import {
  actorOf,
  allocateAddress,
  createPool,
  getPool,
  listAllocations,
  listPools,
  releaseAddress,
  requireRole,
} from "@switchyard/control";
import { allocateBodySchema, createPoolBodySchema, releaseBodySchema } from "@switchyard/protocol";
import { z } from "zod";
import { json, parseBody, parseQuery, parseWith, readJson } from "../http";
import { type Route, route } from "../router";

const allocationsQuerySchema = z.object({
  /** "held" (default): active and cooling down; "all": history too. */
  state: z.enum(["held", "all"]).default("held"),
  hostId: z.string().min(1).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});

export const poolRoutes: Route[] = [
  /** { pools: PoolSummary[] } with usage. */
  route("GET", "/api/v1/pools", async (ctx) => {
    await ctx.principal();
    return json({ pools: await listPools(ctx.services) });
  }),

  /** Body createPoolBodySchema; 201 Pool. operator+. */
  route("POST", "/api/v1/pools", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const body = await parseBody(ctx.request, createPoolBodySchema);
    return json(await createPool(ctx.services, actorOf(principal), body), 201);
  }),

  /** PoolDetail (usage and block map), by id or name. */
  route("GET", "/api/v1/pools/:id", async (ctx) => {
    await ctx.principal();
    return json(await getPool(ctx.services, ctx.params.id ?? ""));
  }),

  /** { allocations: Allocation[] }, newest first; ?state=held|all&hostId=&limit=. */
  route("GET", "/api/v1/pools/:id/allocations", async (ctx) => {
    await ctx.principal();
    const q = parseQuery(ctx.url, allocationsQuerySchema);
    const allocations = await listAllocations(ctx.services, ctx.params.id ?? "", {
      heldOnly: q.state === "held",
      ...(q.hostId ? { hostId: q.hostId } : {}),
      ...(q.limit ? { limit: q.limit } : {}),
    });
    return json({ allocations });
  }),

  /** Body allocateBodySchema (the path names the pool); 201 Allocation; 409 conflict / pool_exhausted. operator+. */
  route("POST", "/api/v1/pools/:id/allocations", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const body = await parseBody(ctx.request, allocateBodySchema);
    const allocation = await allocateAddress(ctx.services, actorOf(principal), {
      ...body,
      poolId: ctx.params.id ?? "",
      pool: undefined,
    });
    return json(allocation, 201);
  }),

  /** Body { reason } (or ?reason=); releases the address into its cooldown; returns the Allocation. operator+. */
  route("DELETE", "/api/v1/pools/:id/allocations/:address", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const raw = await readJson(ctx.request);
    const fromQuery = ctx.url.searchParams.get("reason");
    const body = parseWith(
      releaseBodySchema,
      fromQuery !== null && isEmpty(raw) ? { reason: fromQuery } : raw,
    );
    const allocation = await releaseAddress(ctx.services, actorOf(principal), {
      poolId: ctx.params.id ?? "",
      address: ctx.params.address ?? "",
      reason: body.reason,
    });
    return json(allocation);
  }),
];

const isEmpty = (value: unknown) =>
  value !== null && typeof value === "object" && Object.keys(value as object).length === 0;
