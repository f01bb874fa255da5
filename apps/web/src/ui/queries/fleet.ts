import { apiRoutes, type FleetHost, type FleetSummary, type HostSummary } from "@switchyard/protocol";
import { queryOptions } from "@tanstack/react-query";
import { callApi } from "../api/fetch-json";

export const fleetKeys = {
  all: ["fleet"] as const,
  summary: ["fleet", "summary"] as const,
  search: (q: string) => ["fleet", "search", q] as const,
};

/** One small row per host: what the map's overview draws (the whole inventory of a host is hostQuery's). */
export function fleetQuery() {
  return queryOptions({
    queryKey: fleetKeys.summary,
    queryFn: () => callApi(apiRoutes.fleetSummary),
  });
}

/** The rows of some hosts only: what a burst of live events asks for instead of the whole fleet. */
export async function fetchFleetRows(hostIds: readonly string[]): Promise<FleetHost[]> {
  return (await callApi(apiRoutes.fleetSummary, { query: { hosts: hostIds.join(",") } })).hosts;
}

export function fleetSearchQuery(q: string) {
  return queryOptions({
    queryKey: fleetKeys.search(q),
    queryFn: () => callApi(apiRoutes.fleetSearch, { query: { q } }),
    enabled: q.trim() !== "",
    staleTime: 5_000,
  });
}

/**
 * Pure: the summary with these rows put in (replacing a host's row, or adding a new host's in name
 * order). Rows of hosts that are not asked about stay the same objects, so the graph's diff skips them.
 * `missing` are ids asked about that the server no longer has (deleted hosts): dropped.
 */
export function patchFleetRows(
  summary: FleetSummary | undefined,
  rows: readonly FleetHost[],
  missing: readonly string[] = [],
): FleetSummary | undefined {
  if (!summary) return summary;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const gone = new Set(missing);
  const hosts = summary.hosts.filter((h) => !gone.has(h.id)).map((h) => byId.get(h.id) ?? h);
  const known = new Set(summary.hosts.map((h) => h.id));
  const added = rows.filter((r) => !known.has(r.id));
  if (added.length > 0) {
    hosts.push(...added);
    hosts.sort((a, b) => a.name.localeCompare(b.name));
  }
  return { ...summary, hosts };
}

/** Pure: a `host:changed` event's status and last-seen into the host's row; `undefined` when the host is not in it. */
export function patchFleetStatus(
  summary: FleetSummary | undefined,
  host: HostSummary,
): FleetSummary | undefined {
  if (!summary) return summary;
  const index = summary.hosts.findIndex((h) => h.id === host.id);
  if (index < 0) return undefined;
  const row = summary.hosts[index] as FleetHost;
  if (row.status === host.status && row.name === host.name && row.lastSeenAt === host.lastSeenAt)
    return summary;
  const hosts = [...summary.hosts];
  hosts[index] = { ...row, status: host.status, name: host.name, lastSeenAt: host.lastSeenAt };
  return { ...summary, hosts };
}
