import { apiRoutes, type CreateHostBody, everyPage } from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { callApi } from "../api/fetch-json";
import { queryKeys } from "./query-keys";

export function hostsQuery() {
  return queryOptions({
    queryKey: queryKeys.hostList,
    queryFn: () =>
      everyPage(
        (query) => callApi(apiRoutes.listHosts, { query }),
        (p) => p.hosts,
      ),
  });
}

export function hostQuery(id: string) {
  return queryOptions({
    queryKey: queryKeys.host(id),
    queryFn: () => callApi(apiRoutes.getHost, { params: { id } }),
  });
}

export function createHost(body: CreateHostBody) {
  return callApi(apiRoutes.createHost, { body });
}

export async function revokeHost(id: string): Promise<void> {
  await callApi(apiRoutes.revokeHost, { params: { id }, body: {} });
}
