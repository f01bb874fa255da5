"use client";

import { useQuery } from "@tanstack/react-query";
import { RelativeTime } from "../format/relative-time-view";
import { reconcileEventsQuery } from "../queries/events";

/**
 * What agents repaired (drift: a veth deleted by hand, an OVS tag changed) or failed, newest first;
 * live through `host:reconcile-events`. Test ids: `reconcile-events`, rows `reconcile-event` (data-kind).
 */
export function ReconcileEvents({ host = null }: { host?: string | null }) {
  const events = useQuery(reconcileEventsQuery(host));
  const list = events.data ?? [];
  return (
    <section data-testid="reconcile-events">
      <h2>Drift repaired and failures ({list.length})</h2>
      {list.length === 0 ? (
        <p className="muted small">Nothing yet: every host matched its desired state.</p>
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Host</th>
              <th>Kind</th>
              <th>What the agent said</th>
            </tr>
          </thead>
          <tbody>
            {list.map((e) => (
              <tr key={e.id} data-testid="reconcile-event" data-kind={e.kind}>
                <td>
                  <RelativeTime iso={e.at} />
                </td>
                <td className="mono">{e.hostName}</td>
                <td>
                  <span className={`status-badge ${e.kind === "error" ? "status-failed" : "status-applied"}`}>
                    {e.kind}
                  </span>
                </td>
                <td className="mono small">{e.message}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
