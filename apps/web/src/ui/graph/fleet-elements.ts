import type { FleetHost, HostDetail, LeakFinding } from "@switchyard/protocol";
import { markLeaks } from "../leaks/graph-highlight";
import { elementIds } from "./element-ids";
import { buildTopologyElements, type TopologyElement } from "./elements";
import { type FleetFilters, groupKey, hostPassesFilters } from "./fleet-filters";
import { layoutFleet, layoutHostInterior, type Point, type Size } from "./fleet-layout";
import { attachmentMatchesContainer, type NetworkOverlay } from "./network-overlay";

/** An element with the position the preset layout gives it (compound hosts have none: their children do). */
export type MapElement = TopologyElement & { position?: Point };

export interface FleetMapInput {
  hosts: readonly FleetHost[];
  filters: FleetFilters;
  /** Hosts drawn expanded: their detail (inventory), once fetched. */
  expanded: ReadonlyMap<string, HostDetail>;
  overlay: NetworkOverlay;
  findings: readonly LeakFinding[];
  /** Elements on a traced path (trace.ts): class `on-path`. */
  highlight?: ReadonlySet<string>;
  /** One more class for them once the path was tested (`trace-passed` / `trace-failed`). */
  highlightClass?: string | null;
}

export interface FleetMap {
  elements: MapElement[];
  /** The hosts drawn (after filters), in drawing order. */
  shown: FleetHost[];
}

const groupId = (key: string) => `group/${key}`;

/**
 * The overview (pure, deterministic): one node per host, placed by group (fleet-filters.ts `groupKey`)
 * on a preset grid; an expanded host is a compound of its bridges, ports and containers instead, laid
 * out by structure inside its cell. Filters drop hosts; on expanded hosts, a VLAN or network filter dims
 * the containers it does not touch ("only what this network touches").
 */
export function buildFleetElements(input: FleetMapInput): FleetMap {
  const { filters } = input;
  const shown = input.hosts.filter((h) => hostPassesFilters(h, filters));
  const groups = new Map<string, FleetHost[]>();
  for (const host of shown) {
    const key = groupKey(host, filters.group);
    const list = groups.get(key);
    if (list) list.push(host);
    else groups.set(key, [host]);
  }
  const orderedGroups = [...groups.entries()].sort(([a], [b]) =>
    a.localeCompare(b, undefined, { numeric: true }),
  );
  for (const [, hosts] of orderedGroups)
    hosts.sort((a, b) => a.name.localeCompare(b.name, undefined, { numeric: true }));

  const { interiors, tunnels } = expandedInteriors(shown, input);
  const sizes = new Map<string, Size>([...interiors].map(([id, interior]) => [id, interior.size]));
  const layout = layoutFleet(
    orderedGroups.map(([key, hosts]) => ({ key, hostIds: hosts.map((h) => h.id) })),
    sizes,
  );

  const elements: MapElement[] = [];
  for (const group of layout.groups) {
    elements.push({
      group: "nodes",
      data: {
        id: groupId(group.key),
        kind: "group",
        label: `${group.key} (${group.count})`,
        hostId: "",
        hostName: "",
        name: group.key,
      },
      classes: "group-label",
      position: { x: group.position.x, y: group.position.y + 10 },
    });
  }
  for (const host of shown) {
    const at = layout.hosts.get(host.id) ?? { x: 0, y: 0 };
    const interior = interiors.get(host.id);
    if (!interior) {
      elements.push({ ...hostNode(host, false), position: at });
      continue;
    }
    for (const e of interior.elements) {
      if (e.group === "nodes" && e.data.kind === "host") {
        // The compound: the row's status and marks, no position (its children place it).
        elements.push(hostNode(host, true));
        continue;
      }
      const p = e.group === "nodes" ? interior.positions.get(e.data.id) : undefined;
      elements.push(p ? { ...e, position: { x: at.x + p.x, y: at.y + p.y } } : e);
    }
  }
  elements.push(...tunnels);
  const highlight = input.highlight;
  if (!highlight || highlight.size === 0) return { elements, shown };
  const onPath = input.highlightClass ? `on-path ${input.highlightClass}` : "on-path";
  return {
    elements: elements.map((e) =>
      highlight.has(e.data.id) ? { ...e, classes: `${e.classes} ${onPath}` } : e,
    ),
    shown,
  };
}

function hostNode(host: FleetHost, expanded: boolean): TopologyElement {
  const vlans = host.vlans.length === 1 ? "1 vlan" : `${host.vlans.length} vlans`;
  const marks = `${host.leaks > 0 ? " has-leaks" : ""}${host.drift > 0 ? " has-drift" : ""}`;
  return {
    group: "nodes",
    data: {
      id: elementIds.host(host.id),
      kind: "host",
      label: expanded ? `${host.name} · ${host.status}` : `${host.name}\n${host.containers} ctr · ${vlans}`,
      hostId: host.id,
      hostName: host.name,
      name: host.name,
      status: host.status,
      containers: host.containers,
      leaks: host.leaks,
      drift: host.drift,
    },
    classes: `host status-${host.status}${expanded ? " expanded" : " fleet-host"}${marks}`,
  };
}

interface Interior {
  elements: TopologyElement[];
  positions: Map<string, Point>;
  size: Size;
}

/** Elements and structural layout of each expanded host whose detail is in; tunnels between them. */
function expandedInteriors(
  shown: readonly FleetHost[],
  input: FleetMapInput,
): { interiors: Map<string, Interior>; tunnels: TopologyElement[] } {
  const details = shown.map((h) => input.expanded.get(h.id)).filter((d): d is HostDetail => d !== undefined);
  const all = dimUntouched(
    markLeaks(buildTopologyElements({ hosts: details, generatedAt: "" }, input.overlay), [...input.findings]),
    input,
  );
  const byHost = new Map<string, TopologyElement[]>();
  const tunnels: TopologyElement[] = [];
  for (const e of all) {
    if (e.group === "edges" && e.data.kind === "tunnel") {
      tunnels.push(e);
      continue;
    }
    const list = byHost.get(e.data.hostId);
    if (list) list.push(e);
    else byHost.set(e.data.hostId, [e]);
  }
  const interiors = new Map<string, Interior>();
  for (const [hostId, elements] of byHost) {
    const { positions, size } = layoutHostInterior(elements);
    interiors.set(hostId, { elements, positions, size });
  }
  return { interiors, tunnels };
}

/** With a VLAN or network filter, containers on an expanded host that it does not touch are dimmed. */
function dimUntouched(elements: TopologyElement[], input: FleetMapInput): TopologyElement[] {
  const { vlan, network } = input.filters;
  if (vlan === null && network === null) return elements;
  const onVlan = new Set<string>();
  if (vlan !== null)
    for (const e of elements) if (e.group === "edges" && e.data.vlan === vlan) onVlan.add(e.data.target);
  const attached =
    network === null
      ? []
      : input.overlay.attachments.filter((a) => a.networkId === network && a.status !== "detached");
  return elements.map((e) => {
    if (e.group !== "nodes" || e.data.kind !== "container") return e;
    const d = e.data;
    const container = {
      runtime: (d.runtime ?? "docker") as "docker" | "netns",
      id: d.containerId ?? "",
      name: d.name,
    };
    const touched =
      (vlan === null || onVlan.has(d.id)) &&
      (network === null ||
        attached.some((a) => a.hostId === d.hostId && attachmentMatchesContainer(a, container)));
    return touched ? e : { ...e, classes: `${e.classes} dim` };
  });
}
