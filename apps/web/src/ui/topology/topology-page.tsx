"use client";

import type { FleetMatch, HostDetail } from "@switchyard/protocol";
import { useMutation, useQueries, useQuery } from "@tanstack/react-query";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { Suspense, startTransition, useCallback, useMemo, useState } from "react";
import { errorMessage } from "../api/api-request-error";
import { markDrift } from "../graph/drift-overlay";
import { elementIds } from "../graph/element-ids";
import type { TopologyNodeData } from "../graph/elements";
import { buildFleetElements } from "../graph/fleet-elements";
import { type FleetFilters, filtersToQuery, parseFilters } from "../graph/fleet-filters";
import { FleetGraph, type GraphFocus } from "../graph/fleet-graph";
import type { NetworkOverlay } from "../graph/network-overlay";
import { testedPathClass, traceL2 } from "../graph/trace";
import { attachmentsQuery } from "../queries/attachments";
import { hostDriftQuery } from "../queries/drift";
import { fleetQuery } from "../queries/fleet";
import { hostQuery } from "../queries/hosts";
import { leaksQuery } from "../queries/leaks";
import { networksQuery } from "../queries/networks";
import { testTrace } from "../queries/trace";
import { useHasRole } from "../shell/permissions";
import { QueryState } from "../shell/query-state";
import { listRows } from "./fleet-list";
import { FleetSummary } from "./fleet-summary";
import { MapFilters, MapSearch } from "./map-controls";
import { NodeDetails } from "./node-details";
import { TracePanel, type TraceSource } from "./trace-panel";

/** Fleets this small are drawn fully expanded: the overview only pays off beyond it. */
const AUTO_EXPAND_HOSTS = 12;
/** Hosts opened by hand stay open, up to this many (the oldest closes first). */
const MAX_PINNED = 8;

export function TopologyPage() {
  // useSearchParams needs a Suspense boundary in the app router.
  return (
    <Suspense>
      <FleetMapPage />
    </Suspense>
  );
}

/**
 * The data of each query of a `useQueries`. One function for the module: React Query re-runs an inline
 * `combine` at every render, and its new array rebuilt every host's elements on each click.
 */
const dataOfEach = <T,>(results: { data: T | undefined }[]): (T | undefined)[] => results.map((r) => r.data);

const hostIdOf = (nodeId: string | null): string | null =>
  nodeId?.startsWith("host/") ? (nodeId.split("/")[1] ?? null) : null;

function FleetMapPage() {
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const filters = useMemo(() => parseFilters(searchParams), [searchParams]);
  const setFilters = useCallback(
    (next: FleetFilters) => {
      const query = filtersToQuery(next, searchParams.toString());
      router.replace(query ? `${pathname}?${query}` : pathname, { scroll: false });
    },
    [router, pathname, searchParams],
  );

  const fleet = useQuery(fleetQuery());
  // Networks and attachments add VXLAN tunnels and attachment states on expanded hosts; the map draws without them.
  const networks = useQuery(networksQuery());
  const leaks = useQuery(leaksQuery());
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [pinned, setPinned] = useState<string[]>([]);
  const [zoomHost, setZoomHost] = useState<string | null>(null);
  const [focus, setFocus] = useState<GraphFocus | null>(null);
  const [traceFrom, setTraceFrom] = useState<TraceSource | null>(null);

  const hosts = fleet.data?.hosts;
  const expandedIds = useMemo(() => {
    if (!hosts) return [];
    if (hosts.length <= AUTO_EXPAND_HOSTS) return hosts.map((h) => h.id);
    const known = new Set(hosts.map((h) => h.id));
    const wanted = [...pinned, ...(zoomHost ? [zoomHost] : []), ...(traceFrom ? [traceFrom.hostId] : [])];
    return [...new Set(wanted)].filter((id) => known.has(id));
  }, [hosts, pinned, zoomHost, traceFrom]);
  const details = useQueries({
    queries: expandedIds.map((id) => hostQuery(id)),
    combine: dataOfEach,
  });
  const expanded = useMemo(
    () =>
      new Map<string, HostDetail>(
        details.filter((d): d is NonNullable<typeof d> => d !== undefined).map((d) => [d.id, d]),
      ),
    [details],
  );
  // Attachments of the expanded hosts only (and of the filtered network): never the whole fleet's.
  const attachmentLists = useQueries({
    queries: [
      ...expandedIds.map((host) => attachmentsQuery({ host })),
      ...(filters.network ? [attachmentsQuery({ network: filters.network })] : []),
    ],
    combine: dataOfEach,
  });
  const overlay = useMemo<NetworkOverlay>(() => {
    const byId = new Map(attachmentLists.flatMap((list) => list ?? []).map((a) => [a.id, a]));
    return { networks: networks.data ?? [], attachments: [...byId.values()] };
  }, [networks.data, attachmentLists]);
  // The trace from the chosen container to the selected one, once both hosts' details are in.
  const selectedContainer = selectedId?.includes("/container/") ? selectedId : null;
  const trace = useMemo(() => {
    if (!traceFrom || !selectedContainer) return null;
    const [, hostId, , containerId] = selectedContainer.split("/");
    const fromHost = expanded.get(traceFrom.hostId);
    const toHost = hostId ? expanded.get(hostId) : undefined;
    if (!fromHost || !toHost || !containerId) return null;
    if (fromHost.id === toHost.id && traceFrom.containerId === containerId) return null;
    return traceL2(
      { host: fromHost, containerId: traceFrom.containerId },
      { host: toHost, containerId },
      networks.data ?? [],
    );
  }, [traceFrom, selectedContainer, expanded, networks.data]);
  const highlight = useMemo(() => new Set(trace?.hops.map((h) => h.elementId) ?? []), [trace]);
  // "Test": both agents ping; its answer counts only for the pair it was asked about.
  const canTest = useHasRole("operator");
  const ping = useMutation({ mutationFn: testTrace });
  const pairKey =
    traceFrom && selectedContainer
      ? `${traceFrom.hostId}/${traceFrom.containerId}>${selectedContainer}`
      : null;
  const testedKey = ping.variables
    ? `${ping.variables.from.hostId}/${ping.variables.from.containerId}>${elementIds.container(ping.variables.to.hostId, ping.variables.to.containerId)}`
    : null;
  const tested = pairKey !== null && pairKey === testedKey;
  const testResult = tested ? (ping.data ?? null) : null;
  const map = useMemo(
    () =>
      buildFleetElements({
        hosts: hosts ?? [],
        filters,
        expanded,
        overlay,
        findings: leaks.data?.findings ?? [],
        highlight,
        highlightClass: testedPathClass(testResult),
      }),
    [hosts, filters, expanded, overlay, leaks.data, highlight, testResult],
  );
  const rows = useMemo(() => listRows(map.shown, expanded), [map.shown, expanded]);
  // Drift items of the expanded hosts whose row counts any (never a request per host of the fleet).
  const drifting = useMemo(() => {
    const byId = new Map((hosts ?? []).map((h) => [h.id, h]));
    return expandedIds.flatMap((id) => {
      const row = byId.get(id);
      return row && row.drift > 0 ? [row] : [];
    });
  }, [hosts, expandedIds]);
  const driftLists = useQueries({
    queries: drifting.map((row) => hostDriftQuery(row.id, row.drift)),
    combine: dataOfEach,
  });
  const drift = useMemo(
    () =>
      new Map(
        driftLists
          .filter((d): d is NonNullable<typeof d> => d !== undefined && d.items.length > 0)
          .map((d) => [d.hostId, d.items]),
      ),
    [driftLists],
  );
  const drawn = useMemo(() => markDrift(map.elements, drift), [map.elements, drift]);

  const pin = useCallback((hostId: string) => {
    setPinned((current) => [...current.filter((id) => id !== hostId), hostId].slice(-MAX_PINNED));
  }, []);
  const select = useCallback(
    (id: string | null) => {
      setSelectedId(id);
      const hostId = hostIdOf(id);
      // Selecting a collapsed host opens it; its own compound stays selected. The selection paints first,
      // opening (a fetch, then every host's elements again) follows as a transition.
      if (hostId && id === elementIds.host(hostId)) startTransition(() => pin(hostId));
    },
    [pin],
  );
  // A row of the side list also brings its element into view: at 1,000 hosts it is rarely on screen.
  const selectFromList = useCallback(
    (id: string | null) => {
      select(id);
      if (id) setFocus((current) => ({ id, zoomIn: false, seq: (current?.seq ?? 0) + 1 }));
    },
    [select],
  );
  const pick = useCallback(
    (match: FleetMatch) => {
      pin(match.hostId);
      const id = match.containerId
        ? elementIds.container(match.hostId, match.containerId)
        : elementIds.host(match.hostId);
      setSelectedId(id);
      setFocus((current) => ({ id, zoomIn: true, seq: (current?.seq ?? 0) + 1 }));
    },
    [pin],
  );
  const collapse = useCallback((hostId: string) => {
    setPinned((current) => current.filter((id) => id !== hostId));
    setZoomHost((current) => (current === hostId ? null : current));
    setSelectedId(elementIds.host(hostId));
  }, []);

  if (!fleet.data) return <QueryState error={fleet.error} />;

  const selected = map.elements.find(
    (e): e is { group: "nodes"; data: TopologyNodeData; classes: string } =>
      e.group === "nodes" && e.data.id === selectedId,
  );
  const selectedHost = selected ? expanded.get(selected.data.hostId) : undefined;
  const canCollapse =
    selected?.data.kind === "host" &&
    fleet.data.hosts.length > AUTO_EXPAND_HOSTS &&
    expandedIds.includes(selected.data.hostId);

  return (
    <div className="topology-page">
      <FleetSummary
        rows={rows}
        total={fleet.data.hosts.length}
        selectedId={selectedId}
        onSelect={selectFromList}
      />
      <div className="topology-main">
        <div className="map-toolbar">
          <MapSearch onPick={pick} />
          <MapFilters
            hosts={fleet.data.hosts}
            networks={networks.data ?? []}
            filters={filters}
            onChange={setFilters}
          />
        </div>
        <div className="map-body">
          <FleetGraph
            elements={drawn}
            selectedId={selectedId}
            onSelect={select}
            onZoomHost={setZoomHost}
            focus={focus}
          />
          {selected && selectedHost && (
            <NodeDetails
              key={selected.data.id}
              node={selected.data}
              host={selectedHost}
              attachments={overlay.attachments}
              onClose={() => setSelectedId(null)}
              onCollapse={canCollapse ? () => collapse(selected.data.hostId) : undefined}
              row={fleet.data.hosts.find((h) => h.id === selected.data.hostId)}
            >
              {selected.data.kind === "container" && (
                <TracePanel
                  name={selected.data.name}
                  source={traceFrom}
                  result={trace}
                  onTraceFrom={() =>
                    setTraceFrom({
                      hostId: selected.data.hostId,
                      containerId: selected.data.containerId ?? "",
                      name: selected.data.name,
                    })
                  }
                  onClear={() => setTraceFrom(null)}
                  test={{
                    result: testResult,
                    error: tested && ping.isError ? errorMessage(ping.error) : null,
                    pending: tested && ping.isPending,
                    allowed: canTest,
                  }}
                  onTest={() => {
                    const [, hostId, , containerId] = selectedContainer?.split("/") ?? [];
                    if (!traceFrom || !hostId || !containerId) return;
                    ping.mutate({
                      from: { hostId: traceFrom.hostId, containerId: traceFrom.containerId },
                      to: { hostId, containerId },
                    });
                  }}
                />
              )}
            </NodeDetails>
          )}
          {fleet.data.hosts.length === 0 && (
            <div className="graph-empty">No hosts enrolled yet. Add one on the Hosts page.</div>
          )}
        </div>
      </div>
    </div>
  );
}
