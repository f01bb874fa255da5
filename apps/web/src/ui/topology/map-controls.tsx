import {
  type FleetHost,
  type FleetMatch,
  fleetDriverSchema,
  hostStatusSchema,
  type Network,
} from "@switchyard/protocol";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useEffect, useMemo, useState } from "react";
import { type FleetFilters, GROUP_BYS, type GroupBy, isFiltered, noFilters } from "../graph/fleet-filters";
import { fleetSearchQuery } from "../queries/fleet";

interface MapFiltersProps {
  hosts: readonly FleetHost[];
  networks: readonly Network[];
  filters: FleetFilters;
  onChange: (filters: FleetFilters) => void;
}

const groupTitles: Record<GroupBy, string> = {
  uplink: "L2 segment (uplink)",
  subnet: "subnet",
  label: "host label",
  status: "status",
};

/** Filters and grouping of the map; the page keeps them in the URL. Test ids: filter-<name>, group-by. */
export function MapFilters({ hosts, networks, filters, onChange }: MapFiltersProps) {
  const vlans = useMemo(() => [...new Set(hosts.flatMap((h) => h.vlans))].sort((a, b) => a - b), [hosts]);
  const set = (patch: Partial<FleetFilters>) => onChange({ ...filters, ...patch });
  return (
    <div className="map-filters" data-testid="map-filters">
      <label>
        VLAN{" "}
        <select
          data-testid="filter-vlan"
          value={filters.vlan ?? ""}
          onChange={(e) => set({ vlan: e.target.value === "" ? null : Number(e.target.value) })}
        >
          <option value="">any</option>
          {vlans.map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      </label>
      <label title="Only the hosts and containers this network touches">
        Network{" "}
        <select
          data-testid="filter-network"
          value={filters.network ?? ""}
          onChange={(e) => set({ network: e.target.value === "" ? null : e.target.value })}
        >
          <option value="">any</option>
          {networks.map((n) => (
            <option key={n.id} value={n.id}>
              {n.name}
            </option>
          ))}
        </select>
      </label>
      <label>
        Status{" "}
        <select
          data-testid="filter-status"
          value={filters.status ?? ""}
          onChange={(e) => {
            const parsed = hostStatusSchema.safeParse(e.target.value);
            set({ status: parsed.success ? parsed.data : null });
          }}
        >
          <option value="">any</option>
          {hostStatusSchema.options.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <label>
        Driver{" "}
        <select
          data-testid="filter-driver"
          value={filters.driver ?? ""}
          onChange={(e) => {
            const parsed = fleetDriverSchema.safeParse(e.target.value);
            set({ driver: parsed.success ? parsed.data : null });
          }}
        >
          <option value="">any</option>
          {fleetDriverSchema.options.map((d) => (
            <option key={d}>{d}</option>
          ))}
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="filter-leaks"
          checked={filters.leaks}
          onChange={(e) => set({ leaks: e.target.checked })}
        />{" "}
        leaks
      </label>
      <label>
        <input
          type="checkbox"
          data-testid="filter-drift"
          checked={filters.drift}
          onChange={(e) => set({ drift: e.target.checked })}
        />{" "}
        drift
      </label>
      <label>
        Group by{" "}
        <select
          data-testid="group-by"
          value={filters.group}
          onChange={(e) => set({ group: e.target.value as GroupBy })}
        >
          {GROUP_BYS.map((g) => (
            <option key={g} value={g}>
              {groupTitles[g]}
            </option>
          ))}
        </select>
      </label>
      {isFiltered(filters) && (
        <button
          type="button"
          className="button small"
          data-testid="filter-clear"
          onClick={() => onChange({ ...noFilters, group: filters.group })}
        >
          Clear
        </button>
      )}
    </div>
  );
}

/** Debounced, so typing an address does not send a request per key. */
function useDebounced(value: string, ms: number): string {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

const matchTitle = (m: FleetMatch) =>
  m.containerName && m.kind !== "container" ? `${m.text} · ${m.containerName}` : m.text;

/**
 * Find a host, container, address, MAC or VLAN; picking a match (Enter takes the first) centres and
 * highlights it. Test ids: map-search, map-search-results, map-search-result (data-kind, data-host).
 */
export function MapSearch({ onPick }: { onPick: (match: FleetMatch) => void }) {
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  // Enter before the answer for the current text is in: take its first match when it arrives.
  const [enterPending, setEnterPending] = useState(false);
  const q = useDebounced(text.trim(), 150);
  const result = useQuery(fleetSearchQuery(q));
  const current = q === text.trim() && !result.isFetching;
  const matches = q === "" ? [] : (result.data?.matches ?? []);
  const pick = useCallback(
    (m: FleetMatch) => {
      setOpen(false);
      setEnterPending(false);
      onPick(m);
    },
    [onPick],
  );
  useEffect(() => {
    const first = result.data?.matches[0];
    if (enterPending && current && first) pick(first);
  }, [enterPending, current, result.data, pick]);
  return (
    <div className="map-search">
      <input
        type="search"
        placeholder="Find host, container, address, MAC, VLAN"
        aria-label="Find on the map"
        data-testid="map-search"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setOpen(true);
          setEnterPending(false);
        }}
        onKeyDown={(e) => {
          const first = matches[0];
          if (e.key === "Enter") {
            if (first && current) pick(first);
            else if (text.trim() !== "") setEnterPending(true);
          }
          if (e.key === "Escape") setOpen(false);
        }}
      />
      {open && matches.length > 0 && (
        <ul className="map-search-results card" data-testid="map-search-results">
          {matches.map((m) => (
            <li key={`${m.hostId}/${m.kind}/${m.text}/${m.containerId ?? ""}`}>
              <button
                type="button"
                className="summary-row"
                data-testid="map-search-result"
                data-kind={m.kind}
                data-host={m.hostName}
                onClick={() => pick(m)}
              >
                <span className="mono">{matchTitle(m)}</span>
                <span className="muted small">
                  {m.kind} · {m.hostName}
                </span>
              </button>
            </li>
          ))}
          {result.data?.truncated && <li className="muted small">more matches: type more</li>}
        </ul>
      )}
    </div>
  );
}
