"use client";

import type { Attachment, Operation } from "@switchyard/protocol";
import Link from "next/link";
import { formatTimestamp } from "../format/relative-time";
import { RelativeTime } from "../format/relative-time-view";
import { operationDuration } from "./operation-format";
import { OperationStatusBadge } from "./operation-status-badge";

/**
 * Test ids: `operations-table` (data-count), rows `operation-row-<id>` (data-status, data-kind,
 * data-host, data-network, data-container), `operation-error-<id>`.
 */
export function OperationsTable({
  operations,
  attachments,
}: {
  operations: Operation[];
  attachments: Attachment[];
}) {
  const byId = new Map(attachments.map((a) => [a.id, a]));
  return (
    <table className="data-table" data-testid="operations-table" data-count={operations.length}>
      <thead>
        <tr>
          <th>Status</th>
          <th>Kind</th>
          <th>Host</th>
          <th>Container</th>
          <th>Network</th>
          <th>Requested by</th>
          <th>Reason</th>
          <th>Requested</th>
          <th>Took</th>
          <th>Error</th>
        </tr>
      </thead>
      <tbody>
        {operations.length === 0 && (
          <tr>
            <td colSpan={10} className="muted">
              No operations.
            </td>
          </tr>
        )}
        {operations.map((op) => {
          const attachment = byId.get(op.attachmentId);
          const container = attachment ? attachment.container.ref : "";
          return (
            <tr
              key={op.id}
              data-testid={`operation-row-${op.id}`}
              data-status={op.status}
              data-kind={op.kind}
              data-host={op.hostName}
              data-network={op.networkName}
              data-container={container}
              className={`op-row op-row-${op.status}`}
            >
              <td>
                <OperationStatusBadge status={op.status} />
              </td>
              <td>{op.kind}</td>
              <td>
                <Link href={`/hosts/${op.hostId}`} className="mono">
                  {op.hostName}
                </Link>
              </td>
              <td className="mono">
                {container || <span className="muted">—</span>}
                {attachment && <span className="muted small"> {attachment.ifname}</span>}
              </td>
              <td>
                <Link href={`/networks/${op.networkId}`} className="mono">
                  {op.networkName}
                </Link>
              </td>
              <td>{op.requestedBy ?? "—"}</td>
              <td className="reason">{op.reason ?? <span className="muted">—</span>}</td>
              <td title={formatTimestamp(op.createdAt)}>
                <RelativeTime iso={op.createdAt} />
                <div className="muted small">serial {op.serial}</div>
              </td>
              <td title={op.finishedAt ? `finished ${formatTimestamp(op.finishedAt)}` : undefined}>
                {operationDuration(op)}
              </td>
              <td>
                {op.error && (
                  <span
                    className="form-error op-error clamp-3"
                    title={op.error}
                    data-testid={`operation-error-${op.id}`}
                  >
                    {op.error}
                  </span>
                )}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
