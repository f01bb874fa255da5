"use client";

import type { PoolExhaustionAlert, PoolForecast } from "@switchyard/protocol";
import { useQuery } from "@tanstack/react-query";
import { useNow } from "../format/use-now";
import { poolForecastQuery } from "../queries/pools";
import { QueryState } from "../shell/query-state";
import {
  addressForecastText,
  alertText,
  blockForecastText,
  formatSpan,
  formatUtc,
  isDue,
  seriesPaths,
} from "./forecast-text";
import { HostLink } from "./host-link";

const CHART_W = 600;
const CHART_H = 120;

/**
 * The open exhaustion episode (test id `pool-exhaustion-alert`, data-reason, data-fails-at): the
 * forecast's, re-read every minute, once it is loaded, else the pool page's.
 */
export function PoolAlertBanner({
  poolId,
  initial,
}: {
  poolId: string;
  initial: PoolExhaustionAlert | null;
}) {
  const now = useNow(60_000);
  const forecast = useQuery(poolForecastQuery(poolId));
  const alert = forecast.data ? forecast.data.alert : initial;
  if (!alert) return null;
  return (
    <div
      className="pool-alert"
      role="alert"
      data-testid="pool-exhaustion-alert"
      data-reason={alert.reason}
      data-fails-at={alert.failsAt}
    >
      {alertText(alert.failsAt, alert.reason, now)}{" "}
      <span className="muted small">Raised {formatUtc(alert.raisedAt)}.</span>
    </div>
  );
}

/**
 * Usage over time and the forecast. Test ids: `pool-forecast` (data-rate, data-exhausts-at,
 * data-fails-at), `usage-chart` (data-points), `forecast-addresses`, `forecast-blocks`,
 * `hosts-without-free-block` with rows `host-without-block-<host>` (data-full-at).
 */
export function PoolForecastView({ id }: { id: string }) {
  const query = useQuery(poolForecastQuery(id));
  if (!query.data) return <QueryState error={query.error} />;
  return <ForecastBody forecast={query.data} />;
}

function ForecastBody({ forecast }: { forecast: PoolForecast }) {
  const now = useNow(60_000);
  const { outlook, series } = forecast;
  const held = series.points.map((p) => p.held);
  const peak = Math.max(1, ...held);
  const usable = Number(forecast.usable);
  // The pool's capacity as the top when the line would still be readable against it.
  const showCapacity = Number.isFinite(usable) && usable <= peak * 20;
  const top = showCapacity ? usable : Math.ceil(peak * 1.25);
  const paths = seriesPaths(series.points, CHART_W, CHART_H, top);
  const last = held[held.length - 1] ?? 0;
  return (
    <section
      className="card"
      data-testid="pool-forecast"
      data-rate={outlook.ratePerHour}
      data-exhausts-at={outlook.exhaustsAt ?? ""}
      data-fails-at={outlook.failsAt ?? ""}
    >
      <header>
        <h2>Usage over time</h2>
        <span className="muted small">
          active addresses since {formatUtc(series.start)}, per {formatSpan(series.bucketSeconds * 1000)}
        </span>
      </header>
      <svg
        className="usage-chart"
        viewBox={`0 0 ${CHART_W} ${CHART_H}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={`Active addresses over time, now ${last} of ${forecast.usable}`}
        data-testid="usage-chart"
        data-points={series.points.length}
      >
        <path d={paths.area} className="usage-chart-area" />
        <path d={paths.line} className="usage-chart-line" vectorEffect="non-scaling-stroke" />
      </svg>
      <p className="muted small usage-chart-axis">
        <span>{formatUtc(series.start)}</span>
        <span>
          0–{top} {showCapacity ? "(usable addresses)" : "addresses"}
        </span>
        <span>now: {last}</span>
      </p>
      <p data-testid="forecast-addresses">{addressForecastText(outlook, forecast.free, now)}</p>
      <p data-testid="forecast-blocks">
        {blockForecastText(
          outlook,
          forecast.blocksFree,
          forecast.blocksTotal,
          forecast.pool.allowBorrow,
          now,
        )}
      </p>
      <h3>Hosts without a free block</h3>
      {outlook.hostsWithoutFreeBlock.length === 0 ? (
        <p className="muted" data-testid="hosts-without-free-block" data-count={0}>
          {forecast.blocksFree === "0"
            ? `None: every host has room in its blocks for the next ${formatSpan(forecast.horizonSeconds * 1000)} at its rate.`
            : "None: the pool still has free blocks to claim."}
        </p>
      ) : (
        <table
          className="data-table"
          data-testid="hosts-without-free-block"
          data-count={outlook.hostsWithoutFreeBlock.length}
        >
          <thead>
            <tr>
              <th>Host</th>
              <th>Blocks</th>
              <th>Held / capacity</th>
              <th>Rate</th>
              <th>Full</th>
            </tr>
          </thead>
          <tbody>
            {outlook.hostsWithoutFreeBlock.map((h) => (
              <tr
                key={h.hostId ?? "none"}
                data-testid={`host-without-block-${h.hostName ?? ""}`}
                data-full-at={h.fullAt ?? ""}
              >
                <td>
                  <HostLink hostId={h.hostId} hostName={h.hostName} />
                </td>
                <td>{h.blocks}</td>
                <td>
                  {h.held} / {h.capacity}
                </td>
                <td>{h.ratePerHour}/h</td>
                <td>
                  {h.fullAt && isDue(h.fullAt, now)
                    ? forecast.pool.allowBorrow
                      ? "full: borrows"
                      : "full: next allocation fails"
                    : h.fullAt
                      ? `in ${formatSpan(Date.parse(h.fullAt) - now)}`
                      : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
