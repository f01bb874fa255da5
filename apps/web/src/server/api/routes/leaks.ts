import {
  actorOf,
  addressHistory,
  DomainError,
  defaultLeakSettings,
  getLeak,
  type LeakSettings,
  listLeaks,
  planLeakProbe,
  recordLeakProbe,
  releaseLeaks,
  requireRole,
  runLeakCheck,
  undoLeakRelease,
} from "@switchyard/control";
import {
  type LeakProbeResult,
  type LeakReleaseResponse,
  leakReleaseBodySchema,
  leakUndoBodySchema,
} from "@switchyard/protocol";
import { z } from "zod";
import type { RequestContext } from "../context";
import { errorResponse, json, parseBody, parseQuery } from "../http";
import { type Route, route } from "../router";

const settingsOf = (ctx: RequestContext): LeakSettings => ctx.deps.config.leaks ?? defaultLeakSettings;

const listQuerySchema = z.object({
  state: z.enum(["live", "pending", "open", "resolved", "released", "all"]).default("open"),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
const historyQuerySchema = z.object({
  pool: z.string().min(1, "pool is required"),
  address: z.string().min(1, "address is required"),
});

export const leakRoutes: Route[] = [
  /** LeakList: open findings (?state=live for open + pending, pending, resolved, released, all). */
  route("GET", "/api/v1/leaks", async (ctx) => {
    await ctx.principal();
    const q = parseQuery(ctx.url, listQuerySchema);
    return json(await listLeaks(ctx.services, { state: q.state, ...(q.limit ? { limit: q.limit } : {}) }));
  }),

  /** Runs the check now (waits for a running one); LeakCheckResult. operator+. */
  route("POST", "/api/v1/leaks/check", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const out = await runLeakCheck(ctx.services, settingsOf(ctx));
    if (out.changedIds.length > 0) ctx.deps.hub.leaksChanged?.(out.changedIds);
    return json(out.result);
  }),

  /** One finding. */
  route("GET", "/api/v1/leaks/:id", async (ctx) => {
    await ctx.principal();
    const finding = await getLeak(ctx.services, ctx.params.id ?? "");
    if (!finding) throw new DomainError("not_found", `finding ${ctx.params.id} not found`, "id");
    return json(finding);
  }),

  /** Asks the host's agent to probe the finding's address (arping -D); stores and returns the finding. operator+. */
  route("POST", "/api/v1/leaks/:id/probe", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const id = ctx.params.id ?? "";
    const plan = await planLeakProbe(ctx.services, id);
    if (!ctx.deps.hub.probeHost) throw new DomainError("conflict", "no agent hub in this process", "id");
    let result: LeakProbeResult;
    try {
      const ack = await ctx.deps.hub.probeHost(plan.hostId, plan.request);
      result = {
        at: ctx.services.now().toISOString(),
        iface: plan.request.iface,
        address: plan.request.address,
        answered: ack.ok ? ack.answered : false,
        macs: ack.ok ? ack.macs : [],
        output: ack.ok ? ack.output : "",
        error: ack.ok ? null : ack.error,
      };
    } catch (err) {
      throw new DomainError(
        "conflict",
        `cannot probe from the host: ${err instanceof Error ? err.message : String(err)}`,
        "id",
      );
    }
    await recordLeakProbe(ctx.services, id, result);
    ctx.deps.hub.leaksChanged?.([id]);
    return json(await getLeak(ctx.services, id));
  }),

  /**
   * Body {pool, address, reason} or {items: [{pool, address}], reason}: re-verifies and releases each.
   * One address: 200 LeakReleaseResponse, or the refusal's status (409 when it is no longer leaked).
   * Several: 200 with a result per address. operator+.
   */
  route("POST", "/api/v1/leaks/release", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const body = await parseBody(ctx.request, leakReleaseBodySchema);
    const items = body.items ?? [{ pool: body.pool ?? "", address: body.address ?? "" }];
    const out = await releaseLeaks(ctx.services, actorOf(principal), items, body.reason, settingsOf(ctx));
    const hub = ctx.deps.hub;
    const hostIds = out.changes.flatMap((c) => c.hostIds);
    if (hostIds.length > 0) hub.desiredStateChanged?.(hostIds);
    const changed = out.changes.flatMap((c) => c.findingIds);
    if (out.changes.length > 0) hub.leaksChanged?.(changed);
    const first = out.errors[0];
    if (!body.items && first) return errorResponse(first);
    const response: LeakReleaseResponse = { results: out.outcomes };
    return json(response);
  }),

  /** Body {reason?}: restores a released allocation while it cools down and nobody took it. operator+. */
  route("POST", "/api/v1/leaks/release/:id/undo", async (ctx) => {
    const principal = await ctx.principal();
    requireRole(principal, "operator");
    const body = await parseBody(ctx.request, leakUndoBodySchema);
    const change = await undoLeakRelease(
      ctx.services,
      actorOf(principal),
      ctx.params.id ?? "",
      body.reason ?? null,
    );
    if (change.hostIds.length > 0) ctx.deps.hub.desiredStateChanged?.(change.hostIds);
    ctx.deps.hub.leaksChanged?.([]);
    return json(change.release);
  }),

  /** AddressHistory of ?pool=P&address=A: allocations, holders, findings, releases with who and why. */
  route("GET", "/api/v1/ipam/history", async (ctx) => {
    await ctx.principal();
    const q = parseQuery(ctx.url, historyQuerySchema);
    return json(await addressHistory(ctx.services, q));
  }),
];
