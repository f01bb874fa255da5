import { apiRoutes, everyPage } from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { callApi } from "../api/fetch-json";

export const poolKeys = {
  all: ["pools"] as const,
  list: ["pools", "list"] as const,
  detail: (id: string) => ["pools", "detail", id] as const,
  forecast: (id: string) => ["pools", "forecast", id] as const,
};

export function poolsQuery() {
  return queryOptions({
    queryKey: poolKeys.list,
    queryFn: () =>
      everyPage(
        (query) => callApi(apiRoutes.listPools, { query }),
        (p) => p.pools,
      ),
  });
}

/** Usage and block map, by id or name. */
export function poolQuery(id: string) {
  return queryOptions({
    queryKey: poolKeys.detail(id),
    queryFn: () => callApi(apiRoutes.getPool, { params: { id } }),
  });
}

/** Usage over time, the forecast and hosts without a free block; re-read every minute (the rate moves slowly). */
export function poolForecastQuery(id: string) {
  return queryOptions({
    queryKey: poolKeys.forecast(id),
    queryFn: () => callApi(apiRoutes.poolForecast, { params: { id } }),
    refetchInterval: 60_000,
  });
}
