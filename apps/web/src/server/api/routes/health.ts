import { type Health, PROTOCOL_VERSION } from "@switchyard/protocol";
import { json } from "../http";
import { type Route, route } from "../router";

export const healthRoutes: Route[] = [
  /** Anyone may ask; the database's own error text (host names, users) only goes to a signed-in caller. */
  route("GET", "/api/v1/health", async (ctx) => {
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
      database,
    };
    return json(body, database.ok ? 200 : 503);
  }),
];
