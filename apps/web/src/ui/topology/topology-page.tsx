"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { buildTopologyElements, type TopologyNodeData } from "../graph/elements";
import { TopologyGraph } from "../graph/topology-graph";
import { topologyQuery } from "../queries/topology";
import { QueryState } from "../shell/query-state";
import { NodeDetails } from "./node-details";
import { TopologySummary } from "./topology-summary";

export function TopologyPage() {
  const topology = useQuery(topologyQuery());
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const elements = useMemo(
    () => (topology.data ? buildTopologyElements(topology.data) : []),
    [topology.data],
  );

  if (!topology.data) return <QueryState error={topology.error} />;

  const selected = elements.find(
    (element): element is { group: "nodes"; data: TopologyNodeData; classes: string } =>
      element.group === "nodes" && element.data.id === selectedId,
  );
  const selectedHost = selected
    ? topology.data.hosts.find((host) => host.id === selected.data.hostId)
    : undefined;

  return (
    <div className="topology-page">
      <TopologySummary topology={topology.data} selectedId={selectedId} onSelect={setSelectedId} />
      <div className="topology-main">
        <TopologyGraph elements={elements} selectedId={selectedId} onSelect={setSelectedId} />
        {selected && selectedHost && (
          <NodeDetails node={selected.data} host={selectedHost} onClose={() => setSelectedId(null)} />
        )}
        {topology.data.hosts.length === 0 && (
          <div className="graph-empty">No hosts enrolled yet. Add one on the Hosts page.</div>
        )}
      </div>
    </div>
  );
}
