import { type AuditQuery, apiRoutes } from "@switchyard/protocol";
import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import { callApi } from "../api/fetch-json";

/** The audit view's filters, as they stand in the page's URL (all optional text). */
export type AuditFilter = Partial<Record<Exclude<keyof AuditQuery, "limit">, string>>;

export const AUDIT_FILTER_KEYS = [
  "actor",
  "kind",
  "host",
  "network",
  "address",
  "target",
  "from",
  "to",
] as const satisfies readonly (keyof AuditFilter)[];

const AUDIT_PAGE_SIZE = 50;

const auditKeys = { page: (filter: AuditFilter) => ["audit", filter] as const };

/** One page of the audit log (newest first); `cursor` in the filter selects an older page. */
export function auditQuery(filter: AuditFilter) {
  return queryOptions({
    queryKey: auditKeys.page(filter),
    queryFn: () => callApi(apiRoutes.listAudit, { query: { ...filter, limit: AUDIT_PAGE_SIZE } }),
    placeholderData: keepPreviousData,
  });
}

/** The Audit page's URL for these filters (empty ones left out). */
export function auditHref(filter: AuditFilter): string {
  const params = new URLSearchParams();
  for (const key of [...AUDIT_FILTER_KEYS, "cursor"] as const) {
    const value = filter[key];
    if (value) params.set(key, value);
  }
  const query = params.toString();
  return query ? `/audit?${query}` : "/audit";
}
