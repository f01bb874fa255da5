import type { HostDetail, HostSummary } from "@switchyard/protocol";

/** Pure updates of cached query data from a `host:changed` event. `undefined` means "not cached". */

export function patchHostList(
  hosts: HostSummary[] | undefined,
  changed: HostSummary,
): HostSummary[] | undefined {
  if (!hosts) return hosts;
  const known = hosts.some((host) => host.id === changed.id);
  return known ? hosts.map((host) => (host.id === changed.id ? changed : host)) : [...hosts, changed];
}

export function patchHostDetail(host: HostDetail | undefined, changed: HostSummary): HostDetail | undefined {
  if (!host || host.id !== changed.id) return host;
  return { ...host, ...changed };
}
