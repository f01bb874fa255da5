import {
  apiRoutes,
  buildOpenApiDocument,
  type Health,
  PROTOCOL_MINOR,
  PROTOCOL_VERSION,
} from "@switchyard/protocol";
import { renderMetrics } from "../../metrics/render";
import { implement, Reply } from "../implement";
import { outlookSettingsOf } from "../outlook-settings";
import type { Route } from "../router";

let openApiText: string | null = null;

export const systemRoutes: Route[] = [
  // Anyone may ask; the database's own error text (host names, users) only goes to a signed-in caller.
  implement(apiRoutes.health, async (ctx) => {
    const { deps } = ctx;
    const started = performance.now();
    let database: Health["database"];
    try {
      await deps.prisma.$queryRaw`SELECT 1`;
      database = { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
    } catch (err) {
      const signedIn = await ctx.principal().then(
        () => true,
        () => false,
      );
      database = { ok: false, latencyMs: null, error: signedIn ? (err as Error).message : "unavailable" };
    }
    const body: Health = {
      status: database.ok ? "ok" : "degraded",
      version: deps.version,
      protocolVersion: PROTOCOL_VERSION,
      protocolMinor: PROTOCOL_MINOR,
      database,
    };
    return new Reply(body, {}, database.ok ? 200 : 503);
  }),

  implement(apiRoutes.openApi, async (ctx) => {
    openApiText ??= JSON.stringify(buildOpenApiDocument(apiRoutes, ctx.deps.version));
    return new Response(openApiText, { headers: { "content-type": "application/json; charset=utf-8" } });
  }),

  implement(apiRoutes.metrics, async (ctx) => {
    const { contentType, text } = await renderMetrics(
      ctx.services.prisma,
      ctx.services.now(),
      outlookSettingsOf(ctx),
    );
    return new Response(text, { headers: { "content-type": contentType, "cache-control": "no-store" } });
  }),
];
