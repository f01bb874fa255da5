"use client";

import cytoscape, { type Core } from "cytoscape";
import fcose from "cytoscape-fcose";
import { useEffect, useRef } from "react";
import type { TopologyElement } from "./elements";
import { graphStyle } from "./graph-style";
import { runIncrementalLayout, runInitialLayout } from "./layout";
import { syncElements } from "./sync-elements";

let fcoseRegistered = false;
function registerFcose(): void {
  if (fcoseRegistered) return;
  cytoscape.use(fcose);
  fcoseRegistered = true;
}

interface TopologyGraphProps {
  elements: TopologyElement[];
  selectedId: string | null;
  onSelect: (id: string | null) => void;
}

/** The cytoscape canvas. Positions persist across updates; layout runs only when nodes are added. */
export function TopologyGraph({ elements, selectedId, onSelect }: TopologyGraphProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const cyRef = useRef<Core | null>(null);
  const laidOutRef = useRef(false);
  const onSelectRef = useRef(onSelect);
  onSelectRef.current = onSelect;
  const statsRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    registerFcose();
    const cy = cytoscape({ container, style: graphStyle, elements: [], minZoom: 0.2, maxZoom: 3 });
    cy.on("tap", "node", (event) => onSelectRef.current(event.target.id()));
    cy.on("tap", (event) => {
      if (event.target === cy) onSelectRef.current(null);
    });
    cyRef.current = cy;
    laidOutRef.current = false;
    return () => {
      cy.destroy();
      cyRef.current = null;
    };
  }, []);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    const { addedNodeIds } = syncElements(cy, elements);
    if (!laidOutRef.current) {
      if (cy.nodes().nonempty()) {
        runInitialLayout(cy);
        laidOutRef.current = true;
      }
    } else if (addedNodeIds.length > 0) {
      runIncrementalLayout(cy, addedNodeIds);
    }
    const stats = statsRef.current;
    if (stats) {
      stats.dataset.nodeCount = String(cy.nodes().length);
      stats.dataset.edgeCount = String(cy.edges().length);
    }
  }, [elements]);

  useEffect(() => {
    const cy = cyRef.current;
    if (!cy) return;
    cy.batch(() => {
      cy.elements(":selected").unselect();
      if (selectedId) cy.getElementById(selectedId).select();
    });
  }, [selectedId]);

  return (
    <div className="graph-frame" ref={statsRef} data-testid="topology-graph">
      <div className="graph-canvas" ref={containerRef} />
      <GraphLegend />
    </div>
  );
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
    </ul>
  );
}
