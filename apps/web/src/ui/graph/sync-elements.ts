import type { Core, ElementDefinition } from "cytoscape";
import type { TopologyElement } from "./elements";

export interface SyncResult {
  addedNodeIds: string[];
  removedCount: number;
}

/**
 * Makes the graph show `elements` without touching positions of nodes that stay: removes what is
 * gone, updates data and classes in place, adds what is new (nodes before edges).
 */
export function syncElements(cy: Core, elements: TopologyElement[]): SyncResult {
  const wanted = new Map(elements.map((element) => [element.data.id, element]));
  const stale = cy.elements().filter((element) => !wanted.has(element.id()));
  const removedCount = stale.length;
  cy.batch(() => {
    cy.remove(stale);
  });

  const toAdd: ElementDefinition[] = [];
  const addedNodeIds: string[] = [];
  cy.batch(() => {
    for (const element of elements) {
      const existing = cy.getElementById(element.data.id);
      if (existing.nonempty()) {
        existing.data({ ...element.data });
        existing.classes(element.classes);
        continue;
      }
      toAdd.push({ group: element.group, data: { ...element.data }, classes: element.classes });
      if (element.group === "nodes") addedNodeIds.push(element.data.id);
    }
  });
  // Nodes first so that edges and children find their endpoints and parents.
  toAdd.sort((a, b) => (a.group === b.group ? 0 : a.group === "nodes" ? -1 : 1));
  if (toAdd.length > 0) cy.add(toAdd);
  return { addedNodeIds, removedCount };
}
