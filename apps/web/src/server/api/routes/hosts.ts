import {
  actorOf,
  createHost,
  getHost,
  getTopology,
  issueEnrollmentToken,
  listHosts,
  requireRole,
  revokeHost,
} from "@switchyard/control";
import { createHostBodySchema } from "@switchyard/protocol";
import { z } from "zod";
import { json, parseBody } from "../http";
import { type Route, route } from "../router";

const revokeBodySchema = z.object({ reason: z.string().max(500).optional() });

export const hostRoutes: Route[] = [
  /** { hosts: HostSummary[] } */
  route("GET", "/api/v1/hosts", async (ctx) => {
    await ctx.principal();
    return json({ hosts: await listHosts(ctx.services) });
  }),

  /** Body createHostBodySchema; 201 CreatedHost with the one-time enrollment token. operator+. */
  route("POST", "/api/v1/hosts", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const body = await parseBody(ctx.request, createHostBodySchema);
    const created = await createHost(ctx.services, actorOf(principal), body, {
      enrollmentTtlMs: ctx.deps.config.enrollmentTtlMs,
    });
    ctx.deps.hub.hostChanged(created.host);
    return json(created, 201);
  }),

  /** HostDetail, by id or by name. */
  route("GET", "/api/v1/hosts/:id", async (ctx) => {
    await ctx.principal();
    return json(await getHost(ctx.services, ctx.params.id ?? ""));
  }),

  /** A new one-time enrollment token (older unused ones stop working): CreatedHost. operator+. */
  route("POST", "/api/v1/hosts/:id/enrollment-token", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const created = await issueEnrollmentToken(ctx.services, actorOf(principal), ctx.params.id ?? "", {
      enrollmentTtlMs: ctx.deps.config.enrollmentTtlMs,
    });
    return json(created, 201);
  }),

  /** Body { reason? }; revokes credentials and disconnects the agent; returns HostSummary. operator+. */
  route("POST", "/api/v1/hosts/:id/revoke", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const body = await parseBody(ctx.request, revokeBodySchema);
    const host = await revokeHost(ctx.services, actorOf(principal), ctx.params.id ?? "", body.reason);
    ctx.deps.hub.disconnectHost(host.id);
    ctx.deps.hub.hostChanged(host);
    return json(host);
  }),

  /** Topology: every host with its latest inventory. */
  route("GET", "/api/v1/topology", async (ctx) => {
    await ctx.principal();
    return json(await getTopology(ctx.services));
  }),
];
