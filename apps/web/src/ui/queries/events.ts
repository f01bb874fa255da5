import { apiRoutes } from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { callApi } from "../api/fetch-json";

export const eventKeys = {
  all: ["reconcile-events"] as const,
  list: (host: string | null) => ["reconcile-events", host ?? "*"] as const,
};

/** Drift the agents repaired and endpoints they failed, newest first (of one host, or all). */
export function reconcileEventsQuery(host: string | null = null, limit = 20) {
  return queryOptions({
    queryKey: eventKeys.list(host),
    queryFn: async () =>
      (await callApi(apiRoutes.listEvents, { query: { limit, host: host ?? undefined } })).events,
  });
}
