import {
  actorOf,
  createNetwork,
  deleteNetwork,
  getNetwork,
  listNetworks,
  requireRole,
} from "@switchyard/control";
import { createNetworkBodySchema, deleteNetworkBodySchema } from "@switchyard/protocol";
import { json, parseBody, parseWith, readJson } from "../http";
import { type Route, route } from "../router";

export const networkRoutes: Route[] = [
  /** { networks: Network[] } */
  route("GET", "/api/v1/networks", async (ctx) => {
    await ctx.principal();
    return json({ networks: await listNetworks(ctx.services) });
  }),

  /** Body createNetworkBodySchema; 201 Network; 409 on a clash (same L2 segment, VNI, name). operator+. */
  route("POST", "/api/v1/networks", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const body = await parseBody(ctx.request, createNetworkBodySchema);
    const network = await createNetwork(ctx.services, actorOf(principal), body);
    ctx.deps.hub.networkChanged?.(network.id, network);
    return json(network, 201);
  }),

  /** Network, by id or name. */
  route("GET", "/api/v1/networks/:id", async (ctx) => {
    await ctx.principal();
    return json(await getNetwork(ctx.services, ctx.params.id ?? ""));
  }),

  /** Body { reason? } (or ?reason=); 409 while attachments remain; returns the deleted Network. operator+. */
  route("DELETE", "/api/v1/networks/:id", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const raw = await readJson(ctx.request);
    const reason = ctx.url.searchParams.get("reason");
    const body = parseWith(deleteNetworkBodySchema, reason !== null ? { reason } : raw);
    const network = await deleteNetwork(
      ctx.services,
      actorOf(principal),
      ctx.params.id ?? "",
      body.reason ?? null,
    );
    ctx.deps.hub.networkChanged?.(network.id, null);
    return json(network);
  }),
];
