import type { FleetHost, HostDetail } from "@switchyard/protocol";
import { attachmentBridge, attachmentVlan, findContainerAttachments } from "../graph/attachments";
import { elementIds } from "../graph/element-ids";

/** One line of the side list: a host, or (for an expanded host) one of its bridges or containers. */
export type ListRow =
  | { kind: "host"; key: string; nodeId: string; host: FleetHost }
  | { kind: "bridge"; key: string; nodeId: string; host: FleetHost; name: string; type: string }
  | {
      kind: "container";
      key: string;
      nodeId: string;
      host: FleetHost;
      name: string;
      runtime: string;
      bridge: string | null;
      vlan: number | null;
    };

/**
 * The side list's rows (pure): every shown host, and under each expanded host whose detail is in, its
 * bridges and containers. The list renders only the rows in view (virtualized), so 1,000 hosts cost a
 * few dozen DOM rows.
 */
export function listRows(shown: readonly FleetHost[], expanded: ReadonlyMap<string, HostDetail>): ListRow[] {
  const rows: ListRow[] = [];
  for (const host of shown) {
    rows.push({ kind: "host", key: host.id, nodeId: elementIds.host(host.id), host });
    const inventory = expanded.get(host.id)?.inventory;
    if (!inventory) continue;
    for (const b of inventory.bridges)
      rows.push({
        kind: "bridge",
        key: `${host.id}/b/${b.name}`,
        nodeId: elementIds.linuxBridge(host.id, b.name),
        host,
        name: b.name,
        type: "bridge",
      });
    for (const b of inventory.ovs.bridges)
      rows.push({
        kind: "bridge",
        key: `${host.id}/o/${b.name}`,
        nodeId: elementIds.ovsBridge(host.id, b.name),
        host,
        name: b.name,
        type: "OVS",
      });
    const attachments = findContainerAttachments(inventory);
    for (const c of inventory.containers) {
      const attached = attachments.find((a) => a.container.id === c.id);
      rows.push({
        kind: "container",
        key: `${host.id}/c/${c.id}`,
        nodeId: elementIds.container(host.id, c.id),
        host,
        name: c.name,
        runtime: c.runtime,
        bridge: attached ? attachmentBridge(attached.attachment) : null,
        vlan: attached ? attachmentVlan(attached.attachment) : null,
      });
    }
  }
  return rows;
}

/** The rows to render for a scroll position: the visible ones plus `overscan` either side. */
export function visibleRange(
  count: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  overscan = 8,
): { start: number; end: number } {
  const first = Math.floor(scrollTop / rowHeight);
  const visible = Math.ceil(viewportHeight / rowHeight) + 1;
  return { start: Math.max(0, first - overscan), end: Math.min(count, first + visible + overscan) };
}
