"use client";

import type { Attachment } from "@switchyard/protocol";
import Link from "next/link";
import { RelativeTime } from "../format/relative-time-view";
import { auditHref } from "../queries/audit";
import { AttachmentStatusBadge } from "./attachment-status-badge";
import { DetachButton } from "./detach-button";

/**
 * Test ids: `attachments-table`, rows `attachment-row-<container ref>` (data-status, data-host,
 * data-address, data-attachment-id), `attachment-error-<container ref>`.
 */
export function AttachmentsTable({ attachments }: { attachments: Attachment[] }) {
  return (
    <table className="data-table" data-testid="attachments-table">
      <thead>
        <tr>
          <th>Host</th>
          <th>Container</th>
          <th>Interface</th>
          <th>Address</th>
          <th>MAC</th>
          <th>Status</th>
          <th>Since</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {attachments.length === 0 && (
          <tr>
            <td colSpan={8} className="muted">
              Nothing attached.
            </td>
          </tr>
        )}
        {attachments.map((a) => (
          <tr
            key={a.id}
            data-testid={`attachment-row-${a.container.ref}`}
            data-attachment-id={a.id}
            data-status={a.status}
            data-host={a.hostName}
            data-address={a.address}
          >
            <td>
              <Link href={`/hosts/${a.hostId}`} className="mono">
                {a.hostName}
              </Link>
            </td>
            <td className="mono">
              {a.container.ref} <span className="muted small">{a.container.runtime}</span>
            </td>
            <td className="mono">
              {a.ifname}
              {a.hostIfname && <span className="muted small"> ↔ {a.hostIfname}</span>}
            </td>
            <td className="mono">
              {a.address}/{a.prefixLength}
              {a.setDefaultRoute && <span className="muted small"> default route</span>}
            </td>
            <td className="mono">{a.mac ?? <span className="muted">derived</span>}</td>
            <td>
              <AttachmentStatusBadge status={a.status} />
              {a.error && (
                <div className="form-error small" data-testid={`attachment-error-${a.container.ref}`}>
                  {a.error}
                </div>
              )}
            </td>
            <td>
              <RelativeTime iso={a.appliedAt ?? a.createdAt} />
            </td>
            <td className="actions">
              <DetachButton attachment={a} />{" "}
              <Link
                href={auditHref({ target: a.id })}
                className="small"
                data-testid={`attachment-audit-${a.id}`}
              >
                audit
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
