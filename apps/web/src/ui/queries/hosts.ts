import {
  type CreateHostBody,
  createdHostSchema,
  hostDetailSchema,
  hostListSchema,
} from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { fetchJson, sendCommand } from "../api/fetch-json";
import { queryKeys } from "./query-keys";

export function hostsQuery() {
  return queryOptions({
    queryKey: queryKeys.hostList,
    queryFn: async () => (await fetchJson("/api/v1/hosts", hostListSchema)).hosts,
  });
}

export function hostQuery(id: string) {
  return queryOptions({
    queryKey: queryKeys.host(id),
    queryFn: () => fetchJson(`/api/v1/hosts/${encodeURIComponent(id)}`, hostDetailSchema),
  });
}

export function createHost(body: CreateHostBody) {
  return fetchJson("/api/v1/hosts", createdHostSchema, { method: "POST", body });
}

export function revokeHost(id: string): Promise<void> {
  return sendCommand(`/api/v1/hosts/${encodeURIComponent(id)}/revoke`);
}
