import { poolDetailSchema, poolSummarySchema } from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { z } from "zod";
import { fetchJson } from "../api/fetch-json";

const poolListSchema = z.object({ pools: z.array(poolSummarySchema) });

export const poolKeys = {
  all: ["pools"] as const,
  list: ["pools", "list"] as const,
  detail: (id: string) => ["pools", "detail", id] as const,
};

export function poolsQuery() {
  return queryOptions({
    queryKey: poolKeys.list,
    queryFn: async () => (await fetchJson("/api/v1/pools", poolListSchema)).pools,
  });
}

/** Usage and block map, by id or name. */
export function poolQuery(id: string) {
  return queryOptions({
    queryKey: poolKeys.detail(id),
    queryFn: () => fetchJson(`/api/v1/pools/${encodeURIComponent(id)}`, poolDetailSchema),
  });
}
