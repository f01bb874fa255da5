import type {
  Attachment,
  DriftKind,
  FleetHost,
  HostDetail,
  Inventory,
  InventoryInterface,
} from "@switchyard/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { type ReactNode, useState } from "react";
import { errorMessage } from "../api/api-request-error";
import { AttachForm } from "../attach/attach-form";
import { containerText } from "../attach/attach-form-values";
import { ReconcileEvents } from "../events/reconcile-events";
import { formatAddress, sortAddresses } from "../format/addresses";
import { RelativeTime } from "../format/relative-time-view";
import {
  attachmentBridge,
  attachmentVlan,
  findContainerAttachments,
  linuxBridgePorts,
} from "../graph/attachments";
import type { TopologyNodeData } from "../graph/elements";
import { attachmentMatchesContainer } from "../graph/network-overlay";
import { StatusBadge } from "../hosts/status-badge";
import { AttachmentStatusBadge } from "../networks/attachment-status-badge";
import { hostDriftQuery, repairHost } from "../queries/drift";
import { queryKeys } from "../queries/query-keys";
import { useHasRole, VIEWER_TITLE } from "../shell/permissions";

interface NodeDetailsProps {
  node: TopologyNodeData;
  host: HostDetail;
  /** The control plane's attachments (all hosts); a container shows its own. */
  attachments?: Attachment[];
  onClose: () => void;
  /** On the fleet map: closes the expanded host back into one node. */
  onCollapse?: () => void;
  /** Shown at the end (the trace panel of a container). */
  children?: ReactNode;
  /** The host's map row: its drift and open leaks, shown with the repairs its agent reported. */
  row?: FleetHost;
}

const kindTitles: Record<TopologyNodeData["kind"], string> = {
  host: "Host",
  "linux-bridge": "Linux bridge",
  "ovs-bridge": "OVS bridge",
  uplink: "Uplink interface",
  "host-interface": "Host interface",
  container: "Container",
  group: "Group",
};

/** Side panel for the clicked graph node. */
export function NodeDetails({
  node,
  host,
  attachments = [],
  onClose,
  onCollapse,
  children,
  row,
}: NodeDetailsProps) {
  return (
    <section className="node-details card" aria-label="Selection details" data-testid="node-details">
      <header>
        <div>
          <div className="muted small">{kindTitles[node.kind]}</div>
          <h2>{node.name}</h2>
        </div>
        <button type="button" className="button small" onClick={onClose} aria-label="Close details">
          ×
        </button>
      </header>
      <NodeBody node={node} host={host} />
      {node.kind === "host" && row && <HostDrift row={row} />}
      {onCollapse && (
        <button type="button" className="button small" onClick={onCollapse} data-testid="collapse-host">
          Collapse host
        </button>
      )}
      {node.kind === "container" && <ContainerNetworks node={node} host={host} attachments={attachments} />}
      {children}
    </section>
  );
}

const driftKindText: Record<DriftKind, string> = {
  missing_veth: "missing veth",
  missing_port: "missing port",
  wrong_tag: "wrong tag",
  vlan_not_on_trunk: "VLAN not on the trunk",
  unknown_interface_with_managed_address: "unknown interface with a managed address",
  failed: "failed",
};

/**
 * Drift of a host: what differs from what Switchyard wants (GET /api/v1/hosts/:id/drift), open leaks,
 * "Repair now" (an agent in `--drift-repair report` mode repairs only when asked), and next to them
 * what the agent repaired or failed at (live). Test ids: `host-drift` (data-drift, data-leaks), rows
 * `drift-item` (data-kind), `repair-now`, `repair-message`.
 */
function HostDrift({ row }: { row: FleetHost }) {
  const drift = useQuery(hostDriftQuery(row.id, row.drift));
  const queryClient = useQueryClient();
  const canRepair = useHasRole("operator");
  const repair = useMutation({
    mutationFn: () => repairHost(row.id),
    onSettled: () => queryClient.invalidateQueries({ queryKey: queryKeys.host(row.id) }),
  });
  const items = drift.data?.items ?? [];
  return (
    <div className="host-drift" data-testid="host-drift" data-drift={row.drift} data-leaks={row.leaks}>
      <p className="small">
        {row.drift === 0 ? "No drift" : `${row.drift} drift item(s): not as Switchyard wants it`}
        {row.leaks > 0 ? ` · ${row.leaks} open leak finding(s)` : ""}
      </p>
      {items.length > 0 && (
        <ul className="plain-list small">
          {items.map((item) => (
            <li
              key={`${item.kind}|${item.networkId ?? ""}|${item.text}`}
              data-testid="drift-item"
              data-kind={item.kind}
            >
              <span className="status-badge status-offline">{driftKindText[item.kind]}</span>{" "}
              <span className="mono">{item.text}</span>
            </li>
          ))}
        </ul>
      )}
      {row.drift > 0 && row.status === "online" && (
        <button
          type="button"
          className="button small"
          disabled={!canRepair || repair.isPending}
          title={canRepair ? "Ask the agent to verify the whole host now and repair it" : VIEWER_TITLE}
          onClick={() => repair.mutate()}
          data-testid="repair-now"
        >
          Repair now
        </button>
      )}
      {(repair.isSuccess || repair.isError) && (
        <p className={`small ${repair.isError ? "form-error" : "muted"}`} data-testid="repair-message">
          {repair.isError
            ? errorMessage(repair.error)
            : repair.data?.started
              ? "The agent is verifying the host."
              : "The agent has no desired state yet."}
        </p>
      )}
      <ReconcileEvents host={row.name} />
    </div>
  );
}

function NodeBody({ node, host }: { node: TopologyNodeData; host: HostDetail }) {
  const inventory = host.inventory;
  if (node.kind === "host") return <HostBody host={host} />;
  if (!inventory) return <p className="muted">No inventory.</p>;
  switch (node.kind) {
    case "linux-bridge":
      return <LinuxBridgeBody inventory={inventory} name={node.name} />;
    case "ovs-bridge":
      return <OvsBridgeBody inventory={inventory} name={node.name} />;
    case "uplink":
    case "host-interface":
      return <InterfaceBody iface={inventory.interfaces.find((i) => i.name === node.name)} host={host} />;
    case "container":
      return <ContainerBody inventory={inventory} containerId={node.containerId ?? ""} />;
    case "group":
      return null;
  }
}

function HostBody({ host }: { host: HostDetail }) {
  const inventory = host.inventory;
  return (
    <dl className="facts">
      <dt>Status</dt>
      <dd>
        <StatusBadge status={host.status} />
      </dd>
      <dt>Hostname</dt>
      <dd>{host.hostname ?? "—"}</dd>
      <dt>Agent</dt>
      <dd>{host.agentVersion ?? "—"}</dd>
      <dt>Last seen</dt>
      <dd>
        <RelativeTime iso={host.lastSeenAt} />
      </dd>
      <dt>Inventory</dt>
      <dd>
        <RelativeTime iso={host.inventoryReceivedAt} />
      </dd>
      {inventory && (
        <>
          <dt>Contents</dt>
          <dd>
            {inventory.interfaces.length} interfaces,{" "}
            {inventory.bridges.length + inventory.ovs.bridges.length} bridges, {inventory.containers.length}{" "}
            containers
          </dd>
        </>
      )}
      <dt />
      <dd>
        <Link href={`/hosts/${host.id}`}>Host details →</Link>
      </dd>
    </dl>
  );
}

function LinuxBridgeBody({ inventory, name }: { inventory: Inventory; name: string }) {
  const ports = [...(linuxBridgePorts(inventory).get(name) ?? [])].sort();
  const iface = inventory.interfaces.find((i) => i.name === name);
  return (
    <>
      {iface && <InterfaceFacts iface={iface} />}
      <h3>Ports ({ports.length})</h3>
      <ul className="plain-list mono">
        {ports.map((port) => (
          <li key={port}>{port}</li>
        ))}
      </ul>
    </>
  );
}

function OvsBridgeBody({ inventory, name }: { inventory: Inventory; name: string }) {
  const bridge = inventory.ovs.bridges.find((b) => b.name === name);
  if (!bridge) return <p className="muted">Gone.</p>;
  return (
    <>
      <dl className="facts">
        <dt>Datapath</dt>
        <dd>{bridge.datapathType || "system"}</dd>
      </dl>
      <h3>Ports ({bridge.ports.length})</h3>
      <table className="data-table compact">
        <thead>
          <tr>
            <th>Port</th>
            <th>Tag</th>
            <th>Trunks</th>
          </tr>
        </thead>
        <tbody>
          {bridge.ports.map((port) => (
            <tr key={port.name}>
              <td className="mono">{port.name}</td>
              <td>{port.tag ?? "—"}</td>
              <td>{port.trunks.length > 0 ? port.trunks.join(", ") : port.tag === null ? "all" : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

function InterfaceFacts({ iface }: { iface: InventoryInterface }) {
  return (
    <dl className="facts">
      <dt>Kind</dt>
      <dd>{iface.kind || "device"}</dd>
      <dt>MAC</dt>
      <dd className="mono">{iface.mac ?? "—"}</dd>
      <dt>MTU</dt>
      <dd>{iface.mtu ?? "—"}</dd>
      <dt>State</dt>
      <dd>{iface.operState}</dd>
      <dt>Master</dt>
      <dd className="mono">{iface.master ?? "—"}</dd>
      <dt>Addresses</dt>
      <dd className="mono">
        {iface.addresses.length === 0 ? "—" : sortAddresses(iface.addresses).map(formatAddress).join(", ")}
      </dd>
    </dl>
  );
}

function InterfaceBody({ iface, host }: { iface: InventoryInterface | undefined; host: HostDetail }) {
  if (!iface) return <p className="muted">Not in {host.name}'s latest inventory.</p>;
  return <InterfaceFacts iface={iface} />;
}

function ContainerBody({ inventory, containerId }: { inventory: Inventory; containerId: string }) {
  const container = inventory.containers.find((c) => c.id === containerId);
  if (!container) return <p className="muted">Gone.</p>;
  const attachments = findContainerAttachments(inventory).filter((a) => a.container.id === containerId);
  return (
    <>
      <dl className="facts">
        <dt>Runtime</dt>
        <dd>{container.runtime}</dd>
        <dt>State</dt>
        <dd>{container.state}</dd>
        <dt>PID</dt>
        <dd>{container.pid ?? "—"}</dd>
        <dt>ID</dt>
        <dd className="mono ellipsis" title={container.id}>
          {container.id}
        </dd>
      </dl>
      <h3>Interfaces</h3>
      <table className="data-table compact">
        <thead>
          <tr>
            <th>Name</th>
            <th>Addresses</th>
            <th>On</th>
          </tr>
        </thead>
        <tbody>
          {container.interfaces.map((iface) => {
            const attached = attachments.find((a) => a.containerInterface.name === iface.name);
            const bridge = attached ? attachmentBridge(attached.attachment) : null;
            const vlan = attached ? attachmentVlan(attached.attachment) : null;
            return (
              <tr key={iface.name}>
                <td className="mono">
                  {iface.name} <span className="muted">{iface.kind}</span>
                </td>
                <td className="mono">
                  {sortAddresses(iface.addresses).map(formatAddress).join(", ") || "—"}
                </td>
                <td className="mono">
                  {attached ? `${bridge ?? attached.attachment.hostInterface.name}` : "—"}
                  {attached && bridge !== null ? ` via ${attached.attachment.hostInterface.name}` : ""}
                  {vlan !== null ? ` · vlan ${vlan}` : ""}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}

/**
 * The container's attachments known to the control plane, and the attach action (host and container
 * prefilled from the selection). Test ids: `container-attachments`, `container-attachment-<network>`
 * (data-status), `attach-open`, then the attach form's.
 */
function ContainerNetworks({
  node,
  host,
  attachments,
}: {
  node: TopologyNodeData;
  host: HostDetail;
  attachments: Attachment[];
}) {
  const [attaching, setAttaching] = useState(false);
  const container = host.inventory?.containers.find((c) => c.id === node.containerId);
  if (!container) return null;
  const mine = attachments.filter(
    (a) => a.hostId === host.id && a.status !== "detached" && attachmentMatchesContainer(a, container),
  );
  const canAttach = host.status !== "revoked";
  return (
    <>
      <h3>Networks</h3>
      {mine.length === 0 ? (
        <p className="muted small">Not attached by Switchyard.</p>
      ) : (
        <table className="data-table compact" data-testid="container-attachments">
          <tbody>
            {mine.map((a) => (
              <tr key={a.id} data-testid={`container-attachment-${a.networkName}`} data-status={a.status}>
                <td>
                  <Link href={`/networks/${a.networkId}`} className="mono">
                    {a.networkName}
                  </Link>
                </td>
                <td className="mono">
                  {a.ifname} {a.address}
                </td>
                <td>
                  <AttachmentStatusBadge status={a.status} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {mine.some((a) => a.error) && <p className="form-error small">{mine.find((a) => a.error)?.error}</p>}
      {attaching ? (
        <AttachForm
          prefill={{ host: host.id, container: containerText(container) }}
          fixedTarget={{ hostName: host.name, containerName: container.name }}
          onClose={() => setAttaching(false)}
        />
      ) : (
        canAttach && (
          <button
            type="button"
            className="button small primary"
            onClick={() => setAttaching(true)}
            data-testid="attach-open"
          >
            Attach to a network…
          </button>
        )
      )}
    </>
  );
}
