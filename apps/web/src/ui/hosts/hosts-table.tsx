"use client";

import type { HostSummary } from "@switchyard/protocol";
import Link from "next/link";
import { RelativeTime } from "../format/relative-time-view";
import { RevokeButton } from "./revoke-button";
import { StatusBadge } from "./status-badge";

/** Test ids: table `hosts-table`, rows `host-row-<name>` with data-status. */
export function HostsTable({ hosts }: { hosts: HostSummary[] }) {
  const sorted = [...hosts].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <table className="data-table" data-testid="hosts-table">
      <thead>
        <tr>
          <th>Name</th>
          <th>Status</th>
          <th>Hostname</th>
          <th>Agent</th>
          <th>Last seen</th>
          <th aria-label="Actions" />
        </tr>
      </thead>
      <tbody>
        {sorted.length === 0 && (
          <tr>
            <td colSpan={6} className="muted">
              No hosts yet.
            </td>
          </tr>
        )}
        {sorted.map((host) => (
          <tr key={host.id} data-testid={`host-row-${host.name}`} data-status={host.status}>
            <td>
              <Link href={`/hosts/${host.id}`} className="mono">
                {host.name}
              </Link>
              {host.description && <div className="muted small">{host.description}</div>}
            </td>
            <td>
              <StatusBadge status={host.status} />
            </td>
            <td className="mono">{host.hostname ?? "—"}</td>
            <td className="mono">{host.agentVersion ?? "—"}</td>
            <td>
              <RelativeTime iso={host.lastSeenAt} />
            </td>
            <td className="actions">
              <RevokeButton host={host} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
