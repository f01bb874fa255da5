import { renderMetrics } from "../../metrics/render";
import { type Route, route } from "../router";

export const metricsRoutes: Route[] = [
  /** Prometheus exposition: Node and process, agents, latencies, hosts, IPAM pools, leak findings. */
  route("GET", "/api/v1/metrics", async (ctx) => {
    await ctx.principal();
    const { contentType, text } = await renderMetrics(ctx.services.prisma, ctx.services.now());
    return new Response(text, {
      status: 200,
      headers: { "content-type": contentType, "cache-control": "no-store" },
    });
  }),
];
