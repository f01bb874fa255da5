import type { HostDetail, Topology } from "@switchyard/protocol";
import { attachmentBridge, attachmentVlan, findContainerAttachments } from "../graph/attachments";
import { elementIds } from "../graph/element-ids";
import { StatusBadge } from "../hosts/status-badge";

interface TopologySummaryProps {
  topology: Topology;
  selectedId: string | null;
  onSelect: (id: string) => void;
}

/**
 * The graph's content as a list: readable by people and by Playwright (canvas content is not).
 * Test ids: host-<name> (data-status), bridge-<host>-<name>, container-<name> (data-host, data-bridge, data-vlan).
 */
export function TopologySummary({ topology, selectedId, onSelect }: TopologySummaryProps) {
  const hosts = [...topology.hosts].sort((a, b) => a.name.localeCompare(b.name));
  return (
    <aside className="topology-summary" aria-label="Hosts and containers" data-testid="topology-summary">
      <h2>
        Hosts <span className="muted">({hosts.length})</span>
      </h2>
      {hosts.length === 0 && <p className="muted">No hosts yet. Add one on the Hosts page.</p>}
      <ul className="summary-hosts">
        {hosts.map((host) => (
          <HostSummaryItem key={host.id} host={host} selectedId={selectedId} onSelect={onSelect} />
        ))}
      </ul>
    </aside>
  );
}

function HostSummaryItem({
  host,
  selectedId,
  onSelect,
}: {
  host: HostDetail;
  selectedId: string | null;
  onSelect: (id: string) => void;
}) {
  const inventory = host.inventory;
  const attachments = inventory ? findContainerAttachments(inventory) : [];
  const bridges = inventory
    ? [
        ...inventory.bridges.map((b) => ({
          name: b.name,
          id: elementIds.linuxBridge(host.id, b.name),
          type: "bridge",
        })),
        ...inventory.ovs.bridges.map((b) => ({
          name: b.name,
          id: elementIds.ovsBridge(host.id, b.name),
          type: "OVS",
        })),
      ]
    : [];
  const hostNodeId = elementIds.host(host.id);
  return (
    <li data-testid={`host-${host.name}`} data-status={host.status} data-host-id={host.id}>
      <button
        type="button"
        className={selectedId === hostNodeId ? "summary-row selected" : "summary-row"}
        onClick={() => onSelect(hostNodeId)}
      >
        <span className="summary-name">{host.name}</span> <StatusBadge status={host.status} />
      </button>
      {bridges.length > 0 && (
        <ul className="summary-children">
          {bridges.map((bridge) => (
            <li key={bridge.id} data-testid={`bridge-${host.name}-${bridge.name}`}>
              <button
                type="button"
                className={selectedId === bridge.id ? "summary-row selected" : "summary-row"}
                onClick={() => onSelect(bridge.id)}
              >
                {bridge.name} <span className="muted">{bridge.type}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {inventory && inventory.containers.length > 0 && (
        <ul className="summary-children">
          {inventory.containers.map((container) => {
            const attached = attachments.find((a) => a.container.id === container.id);
            const bridge = attached ? attachmentBridge(attached.attachment) : null;
            const vlan = attached ? attachmentVlan(attached.attachment) : null;
            const nodeId = elementIds.container(host.id, container.id);
            return (
              <li
                key={container.id}
                data-testid={`container-${container.name}`}
                data-host={host.name}
                data-runtime={container.runtime}
                data-bridge={bridge ?? ""}
                data-vlan={vlan ?? ""}
              >
                <button
                  type="button"
                  className={selectedId === nodeId ? "summary-row selected" : "summary-row"}
                  onClick={() => onSelect(nodeId)}
                >
                  <span className="summary-container">{container.name}</span>
                  <span className="muted">
                    {bridge ?? "unattached"}
                    {vlan !== null ? ` · vlan ${vlan}` : ""}
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </li>
  );
}
