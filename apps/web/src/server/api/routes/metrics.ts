import { renderIpamMetrics, renderLeakMetrics } from "@switchyard/control";
import { type Route, route } from "../router";

export const metricsRoutes: Route[] = [
  /** Prometheus text: IPAM pools and leak findings. */
  route("GET", "/api/v1/metrics", async (ctx) => {
    await ctx.principal();
    const now = ctx.services.now();
    const text =
      (await renderIpamMetrics(ctx.services.prisma, now)) + (await renderLeakMetrics(ctx.services.prisma));
    return new Response(text, {
      status: 200,
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" },
    });
  }),
];
