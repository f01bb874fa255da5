"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { ReconcileEvents } from "../events/reconcile-events";
import { RelativeTime } from "../format/relative-time-view";
import { RevokeButton } from "../hosts/revoke-button";
import { StatusBadge } from "../hosts/status-badge";
import { auditHref } from "../queries/audit";
import { hostQuery } from "../queries/hosts";
import { QueryState } from "../shell/query-state";
import { LinuxBridgesSection } from "./bridges-section";
import { ContainersSection } from "./containers-section";
import { InterfacesTable } from "./interfaces-table";
import { OvsSection } from "./ovs-section";

export function HostDetailView({ id }: { id: string }) {
  const query = useQuery(hostQuery(id));
  if (!query.data) return <QueryState error={query.error} />;
  const host = query.data;
  const inventory = host.inventory;

  return (
    <div className="stack" data-testid="host-detail" data-status={host.status}>
      <div className="page-header">
        <div>
          <div className="muted small">
            <Link href="/hosts">Hosts</Link> /
          </div>
          <h1 className="mono">
            {host.name} <StatusBadge status={host.status} />
          </h1>
          {host.description && <p className="muted">{host.description}</p>}
        </div>
        <RevokeButton host={host} />
      </div>

      <dl className="facts wide card">
        <dt>Hostname</dt>
        <dd className="mono">{host.hostname ?? "—"}</dd>
        <dt>Agent version</dt>
        <dd className="mono" data-testid="agent-version">
          {host.agentVersion ?? "—"}
        </dd>
        <dt>Last seen</dt>
        <dd data-testid="last-seen">
          <RelativeTime iso={host.lastSeenAt} />
        </dd>
        <dt>Inventory received</dt>
        <dd>
          <RelativeTime iso={host.inventoryReceivedAt} />
        </dd>
        <dt>Created</dt>
        <dd>
          <RelativeTime iso={host.createdAt} />
        </dd>
        <dt>Agent credentials</dt>
        <dd data-testid="host-credentials" data-active={host.credentials.active}>
          {host.credentials.active} active
          {host.credentials.revoked > 0 && (
            <span className="muted">, {host.credentials.revoked} rotated or revoked</span>
          )}
          {host.credentials.lastUsedAt && (
            <span className="muted">
              {" "}
              · last used <RelativeTime iso={host.credentials.lastUsedAt} />
            </span>
          )}
        </dd>
        <dt>Audit</dt>
        <dd>
          <Link href={auditHref({ host: host.id })} data-testid="host-audit-link">
            entries →
          </Link>
        </dd>
      </dl>

      {!inventory ? (
        <p className="muted">No inventory yet: the agent has not reported.</p>
      ) : (
        <>
          <section>
            <h2>Interfaces ({inventory.interfaces.length})</h2>
            <InterfacesTable interfaces={inventory.interfaces} />
          </section>
          <section>
            <h2>Linux bridges</h2>
            <LinuxBridgesSection inventory={inventory} />
          </section>
          <section>
            <h2>Open vSwitch</h2>
            <OvsSection inventory={inventory} />
          </section>
          <section>
            <h2>Containers ({inventory.containers.length})</h2>
            <ContainersSection inventory={inventory} />
          </section>
          <ReconcileEvents host={host.name} />
          {inventory.namespaces.length > 0 && (
            <section>
              <h2>Named network namespaces</h2>
              <p className="mono">{inventory.namespaces.join(", ")}</p>
            </section>
          )}
        </>
      )}
    </div>
  );
}
