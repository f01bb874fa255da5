"use client";

import type { PoolDetail } from "@switchyard/protocol";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useMemo, useState } from "react";
import { RelativeTime } from "../format/relative-time-view";
import { poolQuery } from "../queries/pools";
import { QueryState } from "../shell/query-state";
import { type BlockCell, blockColumns, buildBlockMap } from "./block-map";
import { HostLink } from "./host-link";
import { PoolAlertBanner, PoolForecastView } from "./pool-forecast-view";
import { UsageBar } from "./usage-bar";

/**
 * A pool: its exhaustion alert, usage, usage over time and forecast (`pool-forecast-view.tsx`), and
 * its block map. Test ids: `pool-detail`, `pool-usage` (data-used, data-free,
 * data-usable), `block-map` (data-blocks-total, data-complete), cells `pool-block-<index>` (data-host,
 * data-used, data-usable, data-claimed), `block-legend-<host>`, `pool-hosts-table`, `pool-host-row-<host>`.
 */
export function PoolDetailView({ id }: { id: string }) {
  const query = useQuery(poolQuery(id));
  if (!query.data) return <QueryState error={query.error} />;
  return <PoolDetailBody pool={query.data} />;
}

function PoolDetailBody({ pool }: { pool: PoolDetail }) {
  const map = useMemo(() => buildBlockMap(pool), [pool]);
  const [focused, setFocused] = useState<BlockCell | null>(null);
  const columns = blockColumns(map.cells.length);
  // Small pools get large cells that can show their counts; large ones stay compact.
  const large = map.cells.length <= 256;
  return (
    <div className="stack" data-testid="pool-detail">
      <div className="page-header">
        <div>
          <div className="muted small">
            <Link href="/pools">Pools</Link> /
          </div>
          <h1 className="mono">{pool.name}</h1>
          {pool.description && <p className="muted">{pool.description}</p>}
        </div>
      </div>

      <PoolAlertBanner poolId={pool.id} initial={pool.alert} />

      <dl className="facts wide card">
        <dt>CIDR</dt>
        <dd className="mono">{pool.cidr}</dd>
        <dt>Gateway</dt>
        <dd className="mono">{pool.gateway ?? "—"}</dd>
        <dt>Block size</dt>
        <dd>
          {pool.effectiveBlockSize}
          {String(pool.blockSize) !== pool.effectiveBlockSize && (
            <span className="muted"> (asked {pool.blockSize})</span>
          )}
        </dd>
        <dt>Cooldown</dt>
        <dd>{pool.cooldownSeconds} s</dd>
        <dt>Borrowing</dt>
        <dd>{pool.allowBorrow ? "allowed" : "off"}</dd>
        <dt>Reserved</dt>
        <dd className="mono">
          {pool.reserved.length === 0
            ? "—"
            : pool.reserved.map((r) => (r.first === r.last ? r.first : `${r.first}–${r.last}`)).join(", ")}
        </dd>
        <dt>Blocks</dt>
        <dd>
          {pool.usage.blocksClaimed} claimed, {pool.usage.blocksFree} free of {pool.usage.blocksTotal}
        </dd>
        <dt>Created</dt>
        <dd>
          <RelativeTime iso={pool.createdAt} />
        </dd>
      </dl>

      <section className="card">
        <h2>Usage</h2>
        <UsageBar
          allocated={pool.usage.allocated}
          coolingDown={pool.usage.coolingDown}
          usable={pool.usage.usable}
          free={pool.usage.free}
          testId="pool-usage"
        />
      </section>

      <PoolForecastView id={pool.id} />

      <section className="card">
        <header>
          <h2>Block map</h2>
          <span className="muted small">
            {map.complete
              ? `${map.cells.length} blocks of ${pool.effectiveBlockSize}`
              : `claimed blocks only (${pool.usage.blocksTotal} blocks in all)`}
            {map.hiddenClaimed > 0 ? `, ${map.hiddenClaimed} more not drawn` : ""}
          </span>
        </header>
        <ul className="block-legend" aria-label="Hosts">
          {map.legend.map((entry) => (
            <li key={entry.hostId ?? "none"} data-testid={`block-legend-${entry.hostName}`}>
              <span className="block-swatch" style={{ background: entry.color }} />
              <span className="mono">{entry.hostName}</span>{" "}
              <span className="muted">
                {entry.blocks} block{entry.blocks === 1 ? "" : "s"}, {entry.allocated}/{entry.capacity} used
              </span>
            </li>
          ))}
          <li>
            <span className="block-swatch free" /> <span className="muted">free</span>
          </li>
        </ul>
        <div
          className={large ? "block-map large" : "block-map"}
          style={{ gridTemplateColumns: `repeat(${columns}, minmax(10px, ${large ? 44 : 22}px))` }}
          data-testid="block-map"
          data-blocks-total={pool.usage.blocksTotal}
          data-complete={map.complete}
        >
          {map.cells.map((cell) => (
            <BlockCellView key={cell.index} cell={cell} onFocus={setFocused} showCount={large} />
          ))}
        </div>
        <p className="block-tooltip mono small" aria-live="polite" data-testid="block-tooltip">
          {focused ? focused.title : "Point at a block for its range, owner and fill."}
        </p>
      </section>

      <section>
        <h2>Hosts</h2>
        <table className="data-table" data-testid="pool-hosts-table">
          <thead>
            <tr>
              <th>Host</th>
              <th>Blocks</th>
              <th>Used</th>
              <th>Capacity</th>
            </tr>
          </thead>
          <tbody>
            {pool.usage.hosts.length === 0 && (
              <tr>
                <td colSpan={4} className="muted">
                  No host holds a block yet.
                </td>
              </tr>
            )}
            {pool.usage.hosts.map((h) => (
              <tr key={h.hostId ?? "none"} data-testid={`pool-host-row-${h.hostName ?? ""}`}>
                <td>
                  <HostLink hostId={h.hostId} hostName={h.hostName} />
                </td>
                <td>{h.blocks}</td>
                <td>{h.allocated}</td>
                <td>{h.capacity}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

function BlockCellView({
  cell,
  onFocus,
  showCount,
}: {
  cell: BlockCell;
  onFocus: (cell: BlockCell) => void;
  showCount: boolean;
}) {
  return (
    <button
      type="button"
      className={cell.claimed ? "block-cell claimed" : "block-cell"}
      style={{ borderColor: cell.claimed ? cell.color : undefined }}
      title={cell.title}
      aria-label={cell.title}
      onMouseEnter={() => onFocus(cell)}
      onFocus={() => onFocus(cell)}
      onClick={() => onFocus(cell)}
      data-testid={`pool-block-${cell.index}`}
      data-host={cell.hostName ?? ""}
      data-used={cell.allocated}
      data-usable={cell.usable ?? ""}
      data-claimed={cell.claimed}
    >
      {cell.claimed && (
        <span
          className="block-fill"
          style={{ height: `${Math.round(cell.fill * 100)}%`, background: cell.color }}
        />
      )}
      {cell.claimed && showCount && <span className="block-count">{cell.allocated}</span>}
    </button>
  );
}
