import { apiRoutes, type LeakListState, type LeakReleaseItem } from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { callApi } from "../api/fetch-json";

export const leakKeys = {
  all: ["leaks"] as const,
  list: (state: LeakListState) => ["leaks", "list", state] as const,
  history: (pool: string, address: string) => ["leaks", "history", pool, address] as const,
};

export function leaksQuery(state: LeakListState = "live") {
  return queryOptions({
    queryKey: leakKeys.list(state),
    queryFn: () => callApi(apiRoutes.listLeaks, { query: { state } }),
  });
}

export function addressHistoryQuery(pool: string, address: string) {
  return queryOptions({
    queryKey: leakKeys.history(pool, address),
    queryFn: () => callApi(apiRoutes.addressHistory, { query: { pool, address } }),
  });
}

export const runLeakCheck = () => callApi(apiRoutes.runLeakCheck);

export const releaseLeaks = (items: LeakReleaseItem[], reason: string) =>
  callApi(apiRoutes.releaseLeaks, { body: { items, reason } });

export const probeLeak = (id: string) => callApi(apiRoutes.probeLeak, { params: { id } });

export const undoLeakRelease = (id: string, reason?: string) =>
  callApi(apiRoutes.undoLeakRelease, { params: { id }, body: reason ? { reason } : {} });
