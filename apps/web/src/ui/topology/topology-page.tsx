"use client";

import { useQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { buildTopologyElements, type TopologyNodeData } from "../graph/elements";
import type { NetworkOverlay } from "../graph/network-overlay";
import { TopologyGraph } from "../graph/topology-graph";
import { markLeaks } from "../leaks/graph-highlight";
import { attachmentsQuery } from "../queries/attachments";
import { leaksQuery } from "../queries/leaks";
import { networksQuery } from "../queries/networks";
import { topologyQuery } from "../queries/topology";
import { QueryState } from "../shell/query-state";
import { NodeDetails } from "./node-details";
import { TopologySummary } from "./topology-summary";

export function TopologyPage() {
  const topology = useQuery(topologyQuery());
  // Networks and attachments add VXLAN tunnels and attachment states; the graph draws without them.
  const networks = useQuery(networksQuery());
  const attachments = useQuery(attachmentsQuery());
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const overlay = useMemo<NetworkOverlay>(
    () => ({ networks: networks.data ?? [], attachments: attachments.data ?? [] }),
    [networks.data, attachments.data],
  );
  // Open leak findings are highlighted (leaks/graph-highlight.ts).
  const leaks = useQuery(leaksQuery());
  const elements = useMemo(
    () =>
      topology.data
        ? markLeaks(buildTopologyElements(topology.data, overlay), leaks.data?.findings ?? [])
        : [],
    [topology.data, overlay, leaks.data],
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
          <NodeDetails
            key={selected.data.id}
            node={selected.data}
            host={selectedHost}
            attachments={overlay.attachments}
            onClose={() => setSelectedId(null)}
          />
        )}
        {topology.data.hosts.length === 0 && (
          <div className="graph-empty">No hosts enrolled yet. Add one on the Hosts page.</div>
        )}
      </div>
    </div>
  );
}
