import type { MapElement } from "./fleet-elements";

export interface ElementDiff {
  /** New elements, nodes (parents before children) before edges. */
  add: MapElement[];
  /** Ids of elements gone, or whose parent or endpoints changed (they are re-added). */
  remove: string[];
  /** Elements whose data or classes changed. */
  update: MapElement[];
  /** Nodes that stay but move (preset positions changed, e.g. a host in the same group expanded). */
  move: { id: string; position: { x: number; y: number } }[];
}

/**
 * What turns the drawn elements `before` into `after` (pure): a change on one host yields a diff of
 * that host's elements only, so the canvas never rewrites or re-lays out the rest of the fleet.
 * Elements are compared by id, then data (shallow), classes and position.
 */
export function diffElements(before: readonly MapElement[], after: readonly MapElement[]): ElementDiff {
  const old = new Map(before.map((e) => [e.data.id, e]));
  const seen = new Set<string>();
  const diff: ElementDiff = { add: [], remove: [], update: [], move: [] };
  for (const next of after) {
    const id = next.data.id;
    seen.add(id);
    const prev = old.get(id);
    if (!prev) {
      diff.add.push(next);
      continue;
    }
    if (prev === next) continue;
    if (prev.group !== next.group || structureChanged(prev, next)) {
      diff.remove.push(id);
      diff.add.push(next);
      continue;
    }
    if (prev.classes !== next.classes || !shallowEqual(prev.data, next.data)) diff.update.push(next);
    if (
      next.position &&
      (!prev.position || prev.position.x !== next.position.x || prev.position.y !== next.position.y)
    )
      diff.move.push({ id, position: next.position });
  }
  for (const id of old.keys()) if (!seen.has(id)) diff.remove.push(id);
  diff.add.sort(addOrder);
  return diff;
}

/** A node's parent, an edge's endpoints: cytoscape cannot change these in place. */
function structureChanged(prev: MapElement, next: MapElement): boolean {
  if (prev.group === "edges" && next.group === "edges")
    return prev.data.source !== next.data.source || prev.data.target !== next.data.target;
  if (prev.group === "nodes" && next.group === "nodes") return prev.data.parent !== next.data.parent;
  return true;
}

function shallowEqual(a: object, b: object): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka)
    if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return false;
  return true;
}

const rank = (e: MapElement) => (e.group === "edges" ? 2 : e.data.parent === undefined ? 0 : 1);
const addOrder = (a: MapElement, b: MapElement) => rank(a) - rank(b);
