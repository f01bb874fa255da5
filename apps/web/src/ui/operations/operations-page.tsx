"use client";

import { type OperationStatus, operationStatusSchema } from "@switchyard/protocol";
import { useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ReconcileEvents } from "../events/reconcile-events";
import { attachmentsQuery } from "../queries/attachments";
import { type OperationFilter, operationsQuery } from "../queries/operations";
import { QueryState } from "../shell/query-state";
import { OperationsTable } from "./operations-table";

const statuses = operationStatusSchema.options;

/**
 * The operations ledger, newest first, live (socket events patch the cached list).
 * Test ids: `operations-filter` (buttons `operations-filter-<all|status>` with aria-pressed), then the table's.
 */
export function OperationsPage({
  status,
  network,
  host,
}: {
  status?: string;
  network?: string;
  host?: string;
}) {
  const router = useRouter();
  const parsed = operationStatusSchema.safeParse(status);
  const filter: OperationFilter = {
    ...(parsed.success ? { status: parsed.data } : {}),
    ...(network ? { network } : {}),
    ...(host ? { host } : {}),
  };
  const operations = useQuery(operationsQuery(filter));
  // Operations name the attachment, not the container: the attachments (detached ones too) do.
  const attachments = useQuery(attachmentsQuery({ all: true }));

  function choose(next: OperationStatus | null) {
    const params = new URLSearchParams();
    if (next) params.set("status", next);
    if (network) params.set("network", network);
    if (host) params.set("host", host);
    const query = params.toString();
    router.replace(query ? `/operations?${query}` : "/operations");
  }

  return (
    <div className="stack">
      <div className="page-header">
        <div>
          <h1>Operations</h1>
          <p className="muted small">
            Every attach and detach: pending → sent → applied, or failed with the agent's error. Live.
            {network && (
              <>
                {" "}
                Network <span className="mono">{network}</span>.
              </>
            )}
            {host && (
              <>
                {" "}
                Host <span className="mono">{host}</span>.
              </>
            )}
          </p>
        </div>
        <fieldset className="segmented" aria-label="Filter by status" data-testid="operations-filter">
          <button
            type="button"
            className={!filter.status ? "button small active" : "button small"}
            aria-pressed={!filter.status}
            onClick={() => choose(null)}
            data-testid="operations-filter-all"
          >
            all
          </button>
          {statuses.map((s) => (
            <button
              key={s}
              type="button"
              className={filter.status === s ? "button small active" : "button small"}
              aria-pressed={filter.status === s}
              onClick={() => choose(s)}
              data-testid={`operations-filter-${s}`}
            >
              {s}
            </button>
          ))}
        </fieldset>
      </div>
      {operations.data ? (
        <OperationsTable operations={operations.data} attachments={attachments.data ?? []} />
      ) : (
        <QueryState error={operations.error} />
      )}
      <ReconcileEvents host={host ?? null} />
    </div>
  );
}
