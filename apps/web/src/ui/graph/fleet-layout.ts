import type { TopologyElement, TopologyNodeData } from "./elements";

/**
 * Positions from structure, never from a force simulation: the same fleet always draws the same way,
 * in milliseconds, and a change on one host moves nothing outside its group. Pure.
 */

export interface Point {
  x: number;
  y: number;
}

export interface Size {
  width: number;
  height: number;
}

/** A collapsed host's cell (its node is drawn smaller, centred in it). */
const HOST_CELL: Size = { width: 120, height: 64 };
const GROUP_GAP = 80;
const GROUP_HEADER = 36;
/** Padding of an expanded host's box around its contents (room for the compound's label). */
const HOST_PADDING = 28;

export interface FleetGroupInput {
  key: string;
  /** Host ids in drawing order. */
  hostIds: string[];
}

export interface FleetLayout {
  /** Centre of each collapsed host's node; top-left of each expanded host's contents. */
  hosts: Map<string, Point>;
  groups: { key: string; position: Point; count: number }[];
}

/** Lays each group out in rows (shelves), then the groups themselves in rows, roughly as wide as tall. */
export function layoutFleet(groups: FleetGroupInput[], expanded: ReadonlyMap<string, Size>): FleetLayout {
  const boxes = groups.map((group) => packGroup(group, expanded));
  const area = boxes.reduce((sum, b) => sum + (b.size.width + GROUP_GAP) * (b.size.height + GROUP_GAP), 0);
  const widest = boxes.reduce((max, b) => Math.max(max, b.size.width), 0);
  // A little wider than square: screens are landscape.
  const rowWidth = Math.max(widest, Math.sqrt(area) * 1.5);
  const hosts = new Map<string, Point>();
  const placed: FleetLayout["groups"] = [];
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const [index, box] of boxes.entries()) {
    if (x > 0 && x + box.size.width > rowWidth) {
      x = 0;
      y += rowHeight + GROUP_GAP;
      rowHeight = 0;
    }
    const group = groups[index] as FleetGroupInput;
    placed.push({ key: group.key, position: { x, y }, count: group.hostIds.length });
    for (const [id, p] of box.hosts) hosts.set(id, { x: x + p.x, y: y + GROUP_HEADER + p.y });
    x += box.size.width + GROUP_GAP;
    rowHeight = Math.max(rowHeight, box.size.height + GROUP_HEADER);
  }
  return { hosts, groups: placed };
}

function packGroup(group: FleetGroupInput, expanded: ReadonlyMap<string, Size>) {
  const columns = Math.max(1, Math.ceil(Math.sqrt(group.hostIds.length * 1.6)));
  const rowWidth = columns * HOST_CELL.width;
  const hosts = new Map<string, Point>();
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  let width = 0;
  for (const id of group.hostIds) {
    const inner = expanded.get(id);
    const cell = inner
      ? { width: inner.width + 2 * HOST_PADDING, height: inner.height + 2 * HOST_PADDING }
      : HOST_CELL;
    if (x > 0 && x + cell.width > rowWidth) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    hosts.set(
      id,
      inner
        ? { x: x + HOST_PADDING, y: y + HOST_PADDING }
        : { x: x + cell.width / 2, y: y + cell.height / 2 },
    );
    x += cell.width;
    width = Math.max(width, x);
    rowHeight = Math.max(rowHeight, cell.height);
  }
  return { hosts, size: { width, height: y + rowHeight } };
}

const ROW_GAP = 72;
/** Wide enough for a container's name and address under its node. */
const COLUMN = 116;

/**
 * Inside one expanded host: uplinks and NICs on top, bridges below them, containers below their bridge
 * (in the order of the bridges), so a host's picture is the same every time it is opened. Positions are
 * relative to the contents' top-left corner.
 */
export function layoutHostInterior(elements: readonly TopologyElement[]): {
  positions: Map<string, Point>;
  size: Size;
} {
  const nodes: TopologyNodeData[] = [];
  for (const e of elements) if (e.group === "nodes" && e.data.kind !== "host") nodes.push(e.data);
  const byName = (a: TopologyNodeData, b: TopologyNodeData) => a.id.localeCompare(b.id);
  const top = nodes.filter((n) => n.kind === "uplink" || n.kind === "host-interface");
  const bridges = nodes.filter((n) => n.kind === "linux-bridge" || n.kind === "ovs-bridge");
  const containers = nodes.filter((n) => n.kind === "container");
  top.sort(byName);
  bridges.sort(byName);
  // A container goes under the first thing it hangs on (its bridge, or its NIC for macvlan/routed).
  const anchorOf = new Map<string, string>();
  for (const e of elements) {
    if (e.group !== "edges" || e.data.kind !== "attachment") continue;
    if (!anchorOf.has(e.data.target)) anchorOf.set(e.data.target, e.data.source);
  }
  const anchorOrder = new Map([...bridges, ...top].map((n, i) => [n.id, i]));
  containers.sort((a, b) => {
    const ia = anchorOrder.get(anchorOf.get(a.id) ?? "") ?? Number.MAX_SAFE_INTEGER;
    const ib = anchorOrder.get(anchorOf.get(b.id) ?? "") ?? Number.MAX_SAFE_INTEGER;
    return ia - ib || a.name.localeCompare(b.name) || byName(a, b);
  });
  const columns = Math.max(3, Math.min(8, Math.ceil(Math.sqrt(containers.length * 1.5))));
  const width = Math.max(columns, top.length, bridges.length, 1) * COLUMN;
  const positions = new Map<string, Point>();
  const row = (list: TopologyNodeData[], y: number) => {
    const step = width / Math.max(list.length, 1);
    list.forEach((n, i) => {
      positions.set(n.id, { x: step * (i + 0.5), y });
    });
  };
  row(top, 0);
  row(bridges, top.length > 0 ? ROW_GAP : 0);
  const containerTop = (top.length > 0 ? ROW_GAP : 0) + (bridges.length > 0 ? ROW_GAP : 0) + 12;
  containers.forEach((n, i) => {
    positions.set(n.id, {
      x: COLUMN * ((i % columns) + 0.5) + (width - columns * COLUMN) / 2,
      y: containerTop + Math.floor(i / columns) * (ROW_GAP - 8),
    });
  });
  const rows = Math.ceil(containers.length / columns);
  const height =
    containers.length > 0 ? containerTop + (rows - 1) * (ROW_GAP - 8) : Math.max(containerTop - 12, 0);
  return { positions, size: { width, height: height + 24 } };
}
