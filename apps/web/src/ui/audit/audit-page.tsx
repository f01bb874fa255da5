"use client";

import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { type FormEvent, useState } from "react";
import { AUDIT_FILTER_KEYS, type AuditFilter, auditHref, auditQuery } from "../queries/audit";
import { QueryState } from "../shell/query-state";
import { AuditTable } from "./audit-table";

const LABELS: Record<(typeof AUDIT_FILTER_KEYS)[number], { label: string; placeholder: string }> = {
  actor: { label: "Who", placeholder: "admin@example.com" },
  kind: { label: "Kind", placeholder: "attachment or user.disable" },
  host: { label: "Host", placeholder: "name or id" },
  network: { label: "Network", placeholder: "name or id" },
  address: { label: "Address", placeholder: "10.0.0.5" },
  target: { label: "Object id", placeholder: "attachment, user, ..." },
  from: { label: "From", placeholder: "2026-12-01T00:00:00Z" },
  to: { label: "To", placeholder: "2026-12-02T00:00:00Z" },
};

/**
 * The audit log with its filters in the URL (`/audit?host=edge-1&kind=attachment`), so host, network,
 * attachment and user pages link to their entries; older pages follow the server's cursor (`&cursor=`),
 * the browser's Back returns to newer ones. Test ids: `audit-filters`, `audit-older`, `audit-newest`.
 */
export function AuditPage({ filter }: { filter: AuditFilter }) {
  const router = useRouter();
  const page = useQuery(auditQuery(filter));
  const [draft, setDraft] = useState<AuditFilter>(filter);

  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const next: AuditFilter = {};
    for (const key of AUDIT_FILTER_KEYS) {
      const value = draft[key]?.trim();
      if (value) next[key] = value;
    }
    router.push(auditHref(next));
  }

  const { cursor, ...withoutCursor } = filter;
  return (
    <div className="stack">
      <div className="page-header">
        <div>
          <h1>Audit</h1>
          <p className="muted small">Every change: who, what, when and why, newest first.</p>
        </div>
      </div>
      <form
        className="form-grid"
        onSubmit={apply}
        aria-label="Filter audit entries"
        data-testid="audit-filters"
      >
        {AUDIT_FILTER_KEYS.map((key) => (
          <label key={key}>
            {LABELS[key].label}
            <input
              name={key}
              placeholder={LABELS[key].placeholder}
              value={draft[key] ?? ""}
              onChange={(event) => setDraft({ ...draft, [key]: event.target.value })}
            />
          </label>
        ))}
        <div className="form-actions">
          <button type="submit" className="button primary">
            Filter
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              setDraft({});
              router.push("/audit");
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {page.data ? <AuditTable events={page.data.events} /> : <QueryState error={page.error} />}
      {page.isError && page.data && <QueryState error={page.error} />}
      <div className="header-actions">
        {cursor && (
          <button
            type="button"
            className="button small"
            onClick={() => router.push(auditHref(withoutCursor))}
            data-testid="audit-newest"
          >
            Newest
          </button>
        )}
        {page.data?.nextCursor && (
          <button
            type="button"
            className="button small"
            onClick={() => router.push(auditHref({ ...filter, cursor: page.data.nextCursor ?? undefined }))}
            data-testid="audit-older"
          >
            Older →
          </button>
        )}
      </div>
    </div>
  );
}
