import { useEffect, useRef, useState } from "react";
import { StatusBadge } from "../hosts/status-badge";
import { type ListRow, visibleRange } from "./fleet-list";

const ROW_HEIGHT = 28;

interface FleetSummaryProps {
  rows: ListRow[];
  total: number;
  selectedId: string | null;
  onSelect: (id: string) => void;
}

/**
 * The map's content as a list, readable by people and by Playwright (canvas content is not); only the
 * rows in view are in the DOM. Test ids: host-<name> (data-status, data-host-id), bridge-<host>-<name>,
 * container-<name> (data-host, data-runtime, data-bridge, data-vlan).
 */
export function FleetSummary({ rows, total, selectedId, onSelect }: FleetSummaryProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ top: 0, height: 800 });
  const hostCount = rows.filter((r) => r.kind === "host").length;

  useEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    const update = () => setViewport({ top: el.scrollTop, height: el.clientHeight || 800 });
    update();
    el.addEventListener("scroll", update, { passive: true });
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => {
      el.removeEventListener("scroll", update);
      observer.disconnect();
    };
  }, []);

  // A new selection (on the graph, by search) scrolls its row into view once, when the row is there
  // (a container's row appears when its host's detail arrives); later changes to the list do not.
  const scrolledTo = useRef<string | null>(null);
  useEffect(() => {
    const el = scrollRef.current;
    if (selectedId === null) scrolledTo.current = null;
    if (!el || selectedId === null || scrolledTo.current === selectedId) return;
    const index = rows.findIndex((r) => r.nodeId === selectedId);
    if (index < 0) return;
    scrolledTo.current = selectedId;
    const top = index * ROW_HEIGHT;
    if (top < el.scrollTop || top + ROW_HEIGHT > el.scrollTop + el.clientHeight)
      el.scrollTop = Math.max(0, top - el.clientHeight / 3);
  }, [selectedId, rows]);

  const { start, end } = visibleRange(rows.length, viewport.top, viewport.height, ROW_HEIGHT);
  return (
    <aside className="topology-summary" aria-label="Hosts and containers" data-testid="topology-summary">
      <h2>
        Hosts{" "}
        <span className="muted" data-testid="fleet-count" data-shown={hostCount} data-total={total}>
          ({hostCount === total ? total : `${hostCount} of ${total}`})
        </span>
      </h2>
      {total === 0 && <p className="muted">No hosts yet. Add one on the Hosts page.</p>}
      <div className="summary-scroll" ref={scrollRef}>
        <ul className="summary-hosts" style={{ height: rows.length * ROW_HEIGHT }}>
          {rows.slice(start, end).map((row, i) => (
            <Row
              key={row.key}
              row={row}
              top={(start + i) * ROW_HEIGHT}
              selected={row.nodeId === selectedId}
              onSelect={onSelect}
            />
          ))}
        </ul>
      </div>
    </aside>
  );
}

function Row({
  row,
  top,
  selected,
  onSelect,
}: {
  row: ListRow;
  top: number;
  selected: boolean;
  onSelect: (id: string) => void;
}) {
  const style = { top, height: ROW_HEIGHT };
  const className = selected ? "summary-row selected" : "summary-row";
  const click = () => onSelect(row.nodeId);
  switch (row.kind) {
    case "host":
      return (
        <li
          className="summary-line"
          style={style}
          data-testid={`host-${row.host.name}`}
          data-status={row.host.status}
          data-host-id={row.host.id}
        >
          <button type="button" className={className} onClick={click}>
            <span className="summary-name">{row.host.name}</span> <StatusBadge status={row.host.status} />
            <span className="muted small">
              {" "}
              {row.host.containers} ctr
              {row.host.leaks > 0 ? ` · ${row.host.leaks} leaks` : ""}
              {row.host.drift > 0 ? ` · ${row.host.drift} drift` : ""}
            </span>
          </button>
        </li>
      );
    case "bridge":
      return (
        <li className="summary-line child" style={style} data-testid={`bridge-${row.host.name}-${row.name}`}>
          <button type="button" className={className} onClick={click}>
            {row.name} <span className="muted">{row.type}</span>
          </button>
        </li>
      );
    case "container":
      return (
        <li
          className="summary-line child"
          style={style}
          data-testid={`container-${row.name}`}
          data-host={row.host.name}
          data-runtime={row.runtime}
          data-bridge={row.bridge ?? ""}
          data-vlan={row.vlan ?? ""}
        >
          <button type="button" className={className} onClick={click}>
            <span className="summary-container">{row.name}</span>
            <span className="muted">
              {row.bridge ?? "unattached"}
              {row.vlan !== null ? ` · vlan ${row.vlan}` : ""}
            </span>
          </button>
        </li>
      );
  }
}
