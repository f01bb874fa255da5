import { apiRoutes } from "@switchyard/protocol";
import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { callApi } from "../api/fetch-json";
import { queryKeys } from "./query-keys";

/**
 * A host's drift items and its agent's latest repairs. Under the host's detail key, so the socket's
 * inventory invalidation refreshes it; keyed by the map row's drift count too, so a row patched by a
 * result (an endpoint failed or repaired) fetches it again.
 */
export function hostDriftQuery(hostId: string, count: number) {
  return queryOptions({
    queryKey: [...queryKeys.host(hostId), "drift", count] as const,
    queryFn: () => callApi(apiRoutes.hostDrift, { params: { id: hostId } }),
    placeholderData: keepPreviousData,
  });
}

export const repairHost = (hostId: string) => callApi(apiRoutes.repairHost, { params: { id: hostId } });
