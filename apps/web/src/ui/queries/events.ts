import { reconcileEventListSchema } from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { fetchJson } from "../api/fetch-json";

export const eventKeys = {
  all: ["reconcile-events"] as const,
  list: (host: string | null) => ["reconcile-events", host ?? "*"] as const,
};

/** Drift the agents repaired and endpoints they failed, newest first (of one host, or all). */
export function reconcileEventsQuery(host: string | null = null, limit = 20) {
  const params = new URLSearchParams({ limit: String(limit) });
  if (host) params.set("host", host);
  return queryOptions({
    queryKey: eventKeys.list(host),
    queryFn: async () =>
      (await fetchJson(`/api/v1/events?${params.toString()}`, reconcileEventListSchema)).events,
  });
}
