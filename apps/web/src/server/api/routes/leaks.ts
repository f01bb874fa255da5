import {
  actorOf,
  addressHistory,
  DomainError,
  defaultLeakSettings,
  getLeak,
  type LeakSettings,
  listLeaks,
  probeLeak,
  releaseLeaks,
  runLeakCheck,
  undoLeakRelease,
} from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import type { RequestContext } from "../context";
import { errorResponse } from "../http";
import { implement } from "../implement";
import type { Route } from "../router";

const settingsOf = (ctx: RequestContext): LeakSettings => ctx.deps.config.leaks ?? defaultLeakSettings;

export const leakRoutes: Route[] = [
  implement(apiRoutes.listLeaks, (ctx, { query }) => listLeaks(ctx.services, query)),

  implement(apiRoutes.runLeakCheck, async (ctx) => {
    const out = await runLeakCheck(ctx.services, settingsOf(ctx));
    if (out.changedIds.length > 0) ctx.deps.hub.leaksChanged(out.changedIds);
    if (!out.result) throw new DomainError("internal", "the leak check did not run");
    return out.result;
  }),

  implement(apiRoutes.getLeak, (ctx, { params }) => getLeak(ctx.services, params.id)),

  implement(apiRoutes.probeLeak, async (ctx, { params }) => {
    const { hub } = ctx.deps;
    const finding = await probeLeak(ctx.services, params.id, (hostId, request) =>
      hub.probeHost(hostId, request),
    );
    hub.leaksChanged([params.id]);
    return finding;
  }),

  // One address answers its refusal's status (409 when it is no longer leaked); several a result each.
  implement(apiRoutes.releaseLeaks, async (ctx, { principal, body }) => {
    const items = body.items ?? [{ pool: body.pool ?? "", address: body.address ?? "" }];
    const out = await releaseLeaks(ctx.services, actorOf(principal), items, body.reason, settingsOf(ctx));
    const { hub } = ctx.deps;
    const hostIds = out.changes.flatMap((c) => c.hostIds);
    if (hostIds.length > 0) hub.desiredStateChanged(hostIds);
    if (out.changes.length > 0) hub.leaksChanged(out.changes.flatMap((c) => c.findingIds));
    const first = out.errors[0];
    if (!body.items && first) return errorResponse(first);
    return { results: out.outcomes };
  }),

  implement(apiRoutes.undoLeakRelease, async (ctx, { principal, params, body }) => {
    const change = await undoLeakRelease(ctx.services, actorOf(principal), params.id, body.reason ?? null);
    if (change.hostIds.length > 0) ctx.deps.hub.desiredStateChanged(change.hostIds);
    ctx.deps.hub.leaksChanged([]);
    return change.release;
  }),

  implement(apiRoutes.addressHistory, (ctx, { query }) => addressHistory(ctx.services, query)),
];
