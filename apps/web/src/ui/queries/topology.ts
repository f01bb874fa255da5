import { topologySchema } from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { fetchJson } from "../api/fetch-json";
import { queryKeys } from "./query-keys";

export function topologyQuery() {
  return queryOptions({
    queryKey: queryKeys.topology,
    queryFn: () => fetchJson("/api/v1/topology", topologySchema),
  });
}
