"use client";

import cytoscape, { type Core } from "cytoscape";
import { useEffect, useRef } from "react";
import { applyDiff } from "./apply-diff";
import { diffElements } from "./element-diff";
import type { MapElement } from "./fleet-elements";
import { graphStyle } from "./graph-style";

/** Zoomed in this far, the collapsed host nearest the centre opens (semantic zoom); below LEAVE it closes. */
const ZOOM_EXPAND = 1.6;
const ZOOM_LEAVE = 1.2;
/** A small graph fitted to a large canvas would be drawn huge: cap the zoom and center instead. */
const MAX_FIT_ZOOM = 1.3;

export interface GraphFocus {
  id: string;
  /**
   * Zoom in to where labels are readable (a search match), or only pan (a row of the side list): without a
   * GPU the first frame at a new zoom with labels costs 0.6-0.8 s over 1,000 hosts, a pan about 0.1 s.
   */
  zoomIn: boolean;
  /** Bumped for every request, so focusing the same element twice centres it again. */
  seq: number;
}

interface FleetGraphProps {
  elements: MapElement[];
  selectedId: string | null;
  onSelect: (id: string | null) => void;
  /** The host the viewport zoomed into (semantic zoom), or null when zoomed out again. */
  onZoomHost: (hostId: string | null) => void;
  focus: GraphFocus | null;
}

/**
 * The cytoscape canvas of the map. Positions come with the elements (preset layout); every change is
 * applied as a diff of elements (element-diff.ts), so nothing is rewritten or laid out again.
 * `data-*` on the frame tell tests and the bench what is drawn: node, host and edge counts, the last
 * diff, when the first draw settled, and after a zoom its level and the host it opened (semantic zoom).
 */
export function FleetGraph({ elements, selectedId, onSelect, onZoomHost, focus }: FleetGraphProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const drawnRef = useRef<MapElement[]>([]);
  const fittedRef = useRef(false);
  const pendingFocusRef = useRef<GraphFocus | null>(null);
  const zoomHostRef = useRef<string | null>(null);
  const handlers = useRef({ onSelect, onZoomHost });
  handlers.current = { onSelect, onZoomHost };

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const cy = cytoscape({
      container,
      style: graphStyle,
      elements: [],
      layout: { name: "preset" },
      minZoom: 0.03,
      maxZoom: 3,
      // Cytoscape turns a mouse-wheel notch into a 2.8% zoom: 86 notches from the 1,000-host overview to
      // where a host opens. Four times that (12% a notch) gets there in about 20.
      wheelSensitivity: 4,
      // No bitmap of the whole graph while the viewport moves: without a GPU, taking that bitmap froze the
      // tab for 0.6-1.4 s at every zoom gesture over 1,000 hosts, while cytoscape's own layered textures
      // keep each zoom frame within 35-85 ms (`npm run bench -- ui`).
      textureOnViewport: false,
      hideEdgesOnViewport: true,
    });
    cy.on("tap", "node", (event) => handlers.current.onSelect(event.target.id()));
    cy.on("tap", (event) => {
      if (event.target === cy) handlers.current.onSelect(null);
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    cy.on("viewport", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        zoomExpansion(cy, zoomHostRef, handlers.current.onZoomHost);
        const frame = frameRef.current;
        if (!frame) return;
        frame.dataset.zoom = cy.zoom().toFixed(2);
        frame.dataset.zoomHost = zoomHostRef.current ?? "";
      }, 200);
    });
    cyRef.current = cy;
    drawnRef.current = [];
    fittedRef.current = false;
    return () => {
      clearTimeout(timer);
      cy.destroy();
      cyRef.current = null;
    };
  }, []);

  useEffect(() => {
    const cy = cyRef.current;
    const frame = frameRef.current;
    if (!cy || !frame) return;
    const started = performance.now();
    const diff = diffElements(drawnRef.current, elements);
    applyDiff(cy, diff);
    drawnRef.current = elements;
    if (!fittedRef.current && cy.nodes().nonempty()) {
      cy.fit(undefined, 24);
      if (cy.zoom() > MAX_FIT_ZOOM) {
        cy.zoom(MAX_FIT_ZOOM);
        cy.center();
      }
      fittedRef.current = true;
      // The first frame after the draw: what "drawn" means to the e2e spec and the bench.
      requestAnimationFrame(() => {
        frame.dataset.drawnAt = String(Math.round(performance.now()));
      });
    }
    const zoomHost = zoomHostRef.current;
    if (zoomHost && diff.add.some((e) => e.group === "nodes" && e.data.parent === `host/${zoomHost}`)) {
      // The host the user zoomed into opened and its group re-flowed: keep it under the viewport's centre.
      cy.center(cy.getElementById(`host/${zoomHost}`));
    }
    resolveFocus(cy, pendingFocusRef);
    frame.dataset.nodeCount = String(cy.nodes().length);
    frame.dataset.edgeCount = String(cy.edges().length);
    frame.dataset.hostCount = String(cy.nodes(".host").length);
    frame.dataset.expandedCount = String(cy.nodes(".host.expanded").length);
    // What the drift overlay marks (drift-overlay.ts): few elements, only on expanded hosts.
    frame.dataset.driftIds = cy
      .elements(".drift")
      .map((e) => e.id())
      .sort()
      .join(" ");
    frame.dataset.lastDiff = `${diff.add.length}/${diff.remove.length}/${diff.update.length}/${diff.move.length}`;
    frame.dataset.lastApplyMs = (performance.now() - started).toFixed(1);
    frame.dataset.applied = String(Number(frame.dataset.applied ?? "0") + 1);
  }, [elements]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.elements(":selected").unselect();
      if (selectedId) cy.getElementById(selectedId).select();
    });
  }, [selectedId]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy || !focus) return;
    pendingFocusRef.current = focus;
    resolveFocus(cy, pendingFocusRef);
  }, [focus]);

  return (
    <div className="graph-frame" ref={frameRef} data-testid="topology-graph">
      <div className="graph-canvas" ref={containerRef} />
      <GraphLegend />
    </div>
  );
}

/** Centres and highlights the focused element once it is drawn (an expanded host's detail may still be loading). */
function resolveFocus(cy: Core, pending: { current: GraphFocus | null }): void {
  const focus = pending.current;
  if (!focus) return;
  const target = cy.getElementById(focus.id);
  if (target.empty()) return;
  pending.current = null;
  cy.nodes(".found").removeClass("found");
  target.addClass("found");
  cy.stop();
  if (!focus.zoomIn) {
    cy.animate({ center: { eles: target } }, { duration: 250 });
    return;
  }
  const zoom = Math.min(Math.max(cy.zoom(), 1), ZOOM_LEAVE);
  cy.animate({ center: { eles: target }, zoom }, { duration: 250 });
}

/** Semantic zoom: zoomed in far enough, the collapsed host nearest the viewport's centre opens. */
function zoomExpansion(
  cy: Core,
  current: { current: string | null },
  report: (id: string | null) => void,
): void {
  const zoom = cy.zoom();
  if (zoom < ZOOM_LEAVE) {
    if (current.current !== null) {
      current.current = null;
      report(null);
    }
    return;
  }
  if (zoom < ZOOM_EXPAND || current.current !== null) return;
  const extent = cy.extent();
  const cx = (extent.x1 + extent.x2) / 2;
  const cyy = (extent.y1 + extent.y2) / 2;
  let best: { id: string; distance: number } | null = null;
  cy.nodes(".fleet-host").forEach((node) => {
    const p = node.position();
    if (p.x < extent.x1 || p.x > extent.x2 || p.y < extent.y1 || p.y > extent.y2) return;
    const distance = (p.x - cx) ** 2 + (p.y - cyy) ** 2;
    if (!best || distance < best.distance) best = { id: node.data("hostId") as string, distance };
  });
  const found = best as { id: string } | null;
  if (found) {
    current.current = found.id;
    report(found.id);
  }
}

function GraphLegend() {
  return (
    <ul className="graph-legend" aria-label="Legend">
      <li>
        <span className="legend-swatch linux-bridge" /> Linux bridge
      </li>
      <li>
        <span className="legend-swatch ovs-bridge" /> OVS bridge
      </li>
      <li>
        <span className="legend-swatch uplink" /> uplink
      </li>
      <li>
        <span className="legend-swatch container" /> Docker
      </li>
      <li>
        <span className="legend-swatch netns" /> netns
      </li>
      <li>
        <span className="legend-swatch tunnel" /> VXLAN tunnel
      </li>
      <li>
        <span className="legend-swatch attach-pending" /> attaching
      </li>
      <li>
        <span className="legend-swatch attach-failed" /> failed
      </li>
      <li>
        <span className="legend-swatch leaks" /> open leaks
      </li>
      <li>
        <span className="legend-swatch drift" /> drift
      </li>
    </ul>
  );
}
