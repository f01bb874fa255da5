import type { Core, ElementDefinition } from "cytoscape";
import type { ElementDiff } from "./element-diff";

/**
 * Applies a diff (element-diff.ts) to the canvas in one batch: only the elements it names are touched,
 * positions come from the diff (preset layout), no layout runs.
 */
export function applyDiff(cy: Core, diff: ElementDiff): void {
  if (diff.add.length + diff.remove.length + diff.update.length + diff.move.length === 0) return;
  cy.batch(() => {
    for (const id of diff.remove) cy.getElementById(id).remove();
    for (const e of diff.update) {
      const el = cy.getElementById(e.data.id);
      el.data({ ...e.data });
      el.classes(e.classes);
    }
    for (const { id, position } of diff.move) cy.getElementById(id).position({ ...position });
    if (diff.add.length > 0) {
      cy.add(
        diff.add.map(
          (e): ElementDefinition => ({
            group: e.group,
            data: { ...e.data },
            classes: e.classes,
            ...(e.position ? { position: { ...e.position } } : {}),
          }),
        ),
      );
    }
  });
}
