import type { AuditEvent } from "@switchyard/protocol";
import Link from "next/link";
import { auditHref } from "../queries/audit";

function detailsText(details: unknown): string {
  if (!details || typeof details !== "object") return "";
  return Object.entries(details as Record<string, unknown>)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== "object")
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(" ");
}

/** A name the entry's details give (attach and detach entries name their host and network), else the id's start. */
function nameIn(details: unknown, key: "host" | "network", id: string): string {
  const named =
    details && typeof details === "object" ? (details as Record<string, unknown>)[key] : undefined;
  return typeof named === "string" ? named : id.slice(0, 8);
}

/** Entries newest first; actor, kind, host, network and address link to the view filtered by them. */
export function AuditTable({ events }: { events: readonly AuditEvent[] }) {
  if (events.length === 0) return <p className="muted">No audit entries match.</p>;
  return (
    <table className="data-table" data-testid="audit-table">
      <thead>
        <tr>
          <th>Time</th>
          <th>Actor</th>
          <th>Action</th>
          <th>Target</th>
          <th>Host</th>
          <th>Network</th>
          <th>Address</th>
          <th>Reason / details</th>
        </tr>
      </thead>
      <tbody>
        {events.map((e) => (
          <tr key={e.id} data-testid={`audit-row-${e.id}`} data-action={e.action}>
            <td className="small">{new Date(e.at).toLocaleString()}</td>
            <td>
              {e.actor.name ? (
                <Link href={auditHref({ actor: e.actor.name })}>{e.actor.name}</Link>
              ) : (
                e.actor.type
              )}
            </td>
            <td className="mono">
              <Link href={auditHref({ kind: e.action })}>{e.action}</Link>
            </td>
            <td className="mono small">
              {e.targetType}
              {e.targetId && (
                <>
                  {" "}
                  <Link href={auditHref({ target: e.targetId })}>{e.targetId.slice(0, 8)}</Link>
                </>
              )}
            </td>
            <td className="mono small">
              {e.hostId ? (
                <Link href={`/hosts/${e.hostId}`}>{nameIn(e.details, "host", e.hostId)}</Link>
              ) : (
                "—"
              )}
            </td>
            <td className="mono small">
              {e.networkId ? (
                <Link href={`/networks/${e.networkId}`}>{nameIn(e.details, "network", e.networkId)}</Link>
              ) : (
                "—"
              )}
            </td>
            <td className="mono">
              {e.address ? <Link href={auditHref({ address: e.address })}>{e.address}</Link> : "—"}
            </td>
            <td className="small">
              {e.reason && <div>{e.reason}</div>}
              <div className="muted ellipsis">{detailsText(e.details)}</div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
