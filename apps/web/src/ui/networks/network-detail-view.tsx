"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { AttachForm } from "../attach/attach-form";
import { RelativeTime } from "../format/relative-time-view";
import { attachmentsQuery } from "../queries/attachments";
import { auditHref } from "../queries/audit";
import { networkQuery } from "../queries/networks";
import { useHasRole, VIEWER_TITLE } from "../shell/permissions";
import { QueryState } from "../shell/query-state";
import { AttachmentsTable } from "./attachments-table";
import { DeleteNetworkButton } from "./delete-network-button";
import { DriverBadge } from "./driver-badge";
import { SegmentChip } from "./networks-table";

/** Test ids: `network-detail` (data-driver), `attach-open`, then the attach form's and the attachments table's. */
export function NetworkDetailView({ id }: { id: string }) {
  const router = useRouter();
  const network = useQuery(networkQuery(id));
  const attachments = useQuery({ ...attachmentsQuery({ network: id }), enabled: network.isSuccess });
  const [attaching, setAttaching] = useState(false);
  const canChange = useHasRole("operator");

  if (!network.data) return <QueryState error={network.error} />;
  const n = network.data;
  return (
    <div className="stack" data-testid="network-detail" data-driver={n.driver}>
      <div className="page-header">
        <div>
          <div className="muted small">
            <Link href="/networks">Networks</Link> /
          </div>
          <h1 className="mono">
            {n.name} <DriverBadge driver={n.driver} />
          </h1>
          {n.description && <p className="muted">{n.description}</p>}
        </div>
        <div className="header-actions">
          <button
            type="button"
            className="button small primary"
            onClick={() => setAttaching((v) => !v)}
            aria-expanded={attaching}
            disabled={!canChange}
            title={canChange ? undefined : VIEWER_TITLE}
            data-testid="attach-open"
          >
            Attach a container
          </button>
          <DeleteNetworkButton network={n} onDeleted={() => router.push("/networks")} />
        </div>
      </div>

      <dl className="facts wide card">
        <dt>Subnet</dt>
        <dd className="mono">{n.subnet}</dd>
        <dt>Gateway</dt>
        <dd className="mono">{n.gateway ?? "—"}</dd>
        <dt>VLAN / VNI</dt>
        <dd>
          <SegmentChip network={n} />
          {n.driver === "vxlan" && n.vxlanPort !== null && <span className="muted"> udp {n.vxlanPort}</span>}
        </dd>
        <dt>Bridge</dt>
        <dd className="mono">{n.bridgeName ?? "—"}</dd>
        <dt>Uplink</dt>
        <dd className="mono">{n.uplink ?? "—"}</dd>
        <dt>MTU</dt>
        <dd>{n.mtu ?? "—"}</dd>
        <dt>Pool</dt>
        <dd>
          <Link href={`/pools/${n.poolId}`} className="mono" data-testid="network-pool-link">
            {n.poolName}
          </Link>
        </dd>
        <dt>Created</dt>
        <dd>
          <RelativeTime iso={n.createdAt} /> {n.createdBy && <span className="muted">by {n.createdBy}</span>}
        </dd>
        <dt>Attachments</dt>
        <dd>{n.attachmentCount}</dd>
        <dt>Operations</dt>
        <dd>
          <Link href={`/operations?network=${encodeURIComponent(n.name)}`}>ledger →</Link>
        </dd>
        <dt>Audit</dt>
        <dd>
          <Link href={auditHref({ network: n.id })} data-testid="network-audit-link">
            entries →
          </Link>
        </dd>
      </dl>

      {n.hostOverrides.length > 0 && (
        <section>
          <h2>Per-host overrides</h2>
          <table className="data-table compact" data-testid="host-overrides-table">
            <thead>
              <tr>
                <th>Host</th>
                <th>Bridge</th>
                <th>Uplink</th>
                <th>Underlay</th>
              </tr>
            </thead>
            <tbody>
              {n.hostOverrides.map((o) => (
                <tr key={o.hostId}>
                  <td className="mono">{o.hostName}</td>
                  <td className="mono">{o.bridgeName ?? "—"}</td>
                  <td className="mono">{o.uplink ?? "—"}</td>
                  <td className="mono">{o.underlayAddress ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}

      {attaching && (
        <div className="card attach-card">
          <AttachForm prefill={{ network: n.id }} onClose={() => setAttaching(false)} />
        </div>
      )}

      <section>
        <h2>Attachments</h2>
        {attachments.data ? (
          <AttachmentsTable attachments={attachments.data} />
        ) : (
          <QueryState error={attachments.error} />
        )}
      </section>
    </div>
  );
}
