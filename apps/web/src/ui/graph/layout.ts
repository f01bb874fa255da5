import type { Core, NodeSingular } from "cytoscape";
import type { FcoseFixedNodeConstraint, FcoseLayoutOptions } from "cytoscape-fcose";

type FixedNode = FcoseFixedNodeConstraint;

const common = {
  name: "fcose",
  nodeDimensionsIncludeLabels: true,
  padding: 24,
  nodeSeparation: 60,
  idealEdgeLength: () => 60,
  nestingFactor: 0.6,
  tile: true,
} as const;

/** First drawing: lay out everything from scratch. */
export function runInitialLayout(cy: Core): void {
  const options: FcoseLayoutOptions = {
    ...common,
    quality: "default",
    randomize: true,
    animate: false,
    fit: true,
  };
  const layout = cy.layout(options);
  layout.one("layoutstop", () => limitZoom(cy));
  layout.run();
}

/** A small graph fitted to a large canvas would be drawn huge: cap the zoom and center instead. */
const MAX_FIT_ZOOM = 1.3;
function limitZoom(cy: Core): void {
  if (cy.zoom() <= MAX_FIT_ZOOM) return;
  cy.zoom(MAX_FIT_ZOOM);
  cy.center();
}

/** Starts a new node next to something it belongs to, so the incremental layout has little to do. */
function seedPosition(cy: Core, node: NodeSingular, index: number): void {
  const anchor = node
    .neighborhood("node")
    .union(node.parent())
    .filter((other) => other.isNode() && !other.same(node) && other.isChildless());
  const base = anchor.nonempty()
    ? anchor.boundingBox({})
    : node.parent().nonempty() && node.parent().children().length > 1
      ? node.parent().boundingBox({})
      : cy.elements().boundingBox({});
  const offset = 30 + 12 * index;
  const x = Number.isFinite(base.x2) ? base.x2 + offset : offset;
  const y = Number.isFinite(base.y1) ? (base.y1 + base.y2) / 2 + ((index % 3) - 1) * 20 : 0;
  node.position({ x, y });
}

/**
 * After nodes were added: nodes that were already there keep their exact positions (fixed
 * constraints); only the new ones are placed. The viewport moves only if a new node is out of view.
 */
export function runIncrementalLayout(cy: Core, addedNodeIds: string[]): void {
  const added = new Set(addedNodeIds);
  const newLeaves = cy.nodes().filter((node) => added.has(node.id()) && node.isChildless());
  newLeaves.forEach((node, index) => {
    seedPosition(cy, node, index);
  });
  const fixed: FixedNode[] = [];
  cy.nodes().forEach((node) => {
    if (!added.has(node.id()) && node.isChildless())
      fixed.push({ nodeId: node.id(), position: { ...node.position() } });
  });
  const options: FcoseLayoutOptions = {
    ...common,
    quality: "proof",
    randomize: false,
    animate: true,
    animationDuration: 250,
    fit: false,
    fixedNodeConstraint: fixed,
  };
  try {
    const layout = cy.layout(options);
    layout.one("layoutstop", () => revealIfHidden(cy, added));
    layout.run();
  } catch {
    // The seeded positions are a fine fallback if the constrained layout refuses this graph.
    revealIfHidden(cy, added);
  }
}

function revealIfHidden(cy: Core, added: Set<string>): void {
  const extent = cy.extent();
  let outside = false;
  cy.nodes().forEach((node) => {
    if (!added.has(node.id())) return;
    const box = node.boundingBox({});
    if (box.x1 < extent.x1 || box.x2 > extent.x2 || box.y1 < extent.y1 || box.y2 > extent.y2) outside = true;
  });
  if (outside) cy.animate({ fit: { eles: cy.elements(), padding: 24 }, duration: 250 });
}
