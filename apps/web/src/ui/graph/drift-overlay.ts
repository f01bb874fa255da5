import type { DriftItem } from "@switchyard/protocol";
import { elementIds } from "./element-ids";
import type { TopologyElement } from "./elements";

/**
 * Where drift is on an expanded host (pure): each item marks what of it the graph draws — the
 * container and its interface's edge, the bridge, the port (a trunk uplink, a host interface with a
 * stray address) — with classes `drift drift-<kind>`; an item with nothing drawn (its container gone)
 * marks the host's compound. Elements not involved are returned as they are (same objects), so the
 * graph's diff stays small.
 */
export function markDrift<E extends TopologyElement>(
  elements: readonly E[],
  drift: ReadonlyMap<string, readonly DriftItem[]>,
): E[] {
  if (drift.size === 0) return [...elements];
  const ids = new Set(elements.map((e) => e.data.id));
  const marks = new Map<string, Set<string>>();
  /** Per container node, its interfaces with drift (an edge's `via`) and their kinds. */
  const interfaces = new Map<string, Map<string, Set<string>>>();
  const mark = (into: Map<string, Set<string>>, id: string, kind: string) => {
    const set = into.get(id) ?? new Set<string>();
    set.add(kind);
    into.set(id, set);
  };
  for (const [hostId, items] of drift) {
    for (const item of items) {
      const targets: string[] = [];
      if (item.containerId) {
        const container = elementIds.container(hostId, item.containerId);
        targets.push(container);
        if (item.ifname) {
          const byName = interfaces.get(container) ?? new Map<string, Set<string>>();
          interfaces.set(container, byName);
          mark(byName, item.ifname, item.kind);
        }
      }
      if (item.bridge)
        targets.push(elementIds.ovsBridge(hostId, item.bridge), elementIds.linuxBridge(hostId, item.bridge));
      if (item.port) targets.push(elementIds.hostInterface(hostId, item.port));
      const drawn = targets.filter((id) => ids.has(id));
      for (const id of drawn.length > 0 ? drawn : [elementIds.host(hostId)]) mark(marks, id, item.kind);
    }
  }
  return elements.map((e) => {
    let kinds = marks.get(e.data.id);
    if (e.group === "edges") {
      const via = e.data.id.slice(elementIds.edge(e.data.source, e.data.target, "").length);
      kinds = interfaces.get(e.data.target)?.get(via);
    }
    if (!kinds) return e;
    const classes = [...kinds].sort().map((k) => `drift-${k}`);
    return { ...e, classes: `${e.classes} drift ${classes.join(" ")}` };
  });
}
