import {
  addressHistorySchema,
  type LeakReleaseItem,
  leakCheckResultSchema,
  leakFindingSchema,
  leakListSchema,
  leakReleaseRecordSchema,
  leakReleaseResponseSchema,
} from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { fetchJson } from "../api/fetch-json";

export type LeakListState = "live" | "open" | "pending" | "resolved" | "released" | "all";

export const leakKeys = {
  all: ["leaks"] as const,
  list: (state: LeakListState) => ["leaks", "list", state] as const,
  history: (pool: string, address: string) => ["leaks", "history", pool, address] as const,
};

export function leaksQuery(state: LeakListState = "live") {
  return queryOptions({
    queryKey: leakKeys.list(state),
    queryFn: () => fetchJson(`/api/v1/leaks?state=${state}`, leakListSchema),
  });
}

export function addressHistoryQuery(pool: string, address: string) {
  return queryOptions({
    queryKey: leakKeys.history(pool, address),
    queryFn: () =>
      fetchJson(
        `/api/v1/ipam/history?${new URLSearchParams({ pool, address }).toString()}`,
        addressHistorySchema,
      ),
  });
}

export const runLeakCheck = () => fetchJson("/api/v1/leaks/check", leakCheckResultSchema, { method: "POST" });

export const releaseLeaks = (items: LeakReleaseItem[], reason: string) =>
  fetchJson("/api/v1/leaks/release", leakReleaseResponseSchema, { method: "POST", body: { items, reason } });

export const probeLeak = (id: string) =>
  fetchJson(`/api/v1/leaks/${encodeURIComponent(id)}/probe`, leakFindingSchema, { method: "POST" });

export const undoLeakRelease = (id: string, reason?: string) =>
  fetchJson(`/api/v1/leaks/release/${encodeURIComponent(id)}/undo`, leakReleaseRecordSchema, {
    method: "POST",
    body: reason ? { reason } : {},
  });
