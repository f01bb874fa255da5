"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useNow } from "../format/use-now";
import { poolsQuery } from "../queries/pools";
import { QueryState } from "../shell/query-state";
import { formatSpan, isDue } from "./forecast-text";
import { UsageBar } from "./usage-bar";

/**
 * Test ids: `pools-table`, rows `pool-row-<name>` (data-used, data-free, data-blocks-claimed,
 * data-fails-at), `pool-alert-<name>` (the exhaustion badge).
 */
export function PoolsPage() {
  const pools = useQuery(poolsQuery());
  const now = useNow(60_000);
  return (
    <div className="stack">
      <div className="page-header">
        <div>
          <h1>Address pools</h1>
          <p className="muted small">
            Each host gets blocks of contiguous addresses; its containers get the lowest free address of its
            blocks.
          </p>
        </div>
      </div>
      {!pools.data ? (
        <QueryState error={pools.error} />
      ) : (
        <table className="data-table" data-testid="pools-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>CIDR</th>
              <th>Gateway</th>
              <th>Block size</th>
              <th>Usage</th>
              <th>Blocks claimed</th>
              <th>Hosts</th>
              <th>Runs out</th>
            </tr>
          </thead>
          <tbody>
            {pools.data.length === 0 && (
              <tr>
                <td colSpan={8} className="muted">
                  No pools yet. Creating a network creates the pool of its subnet.
                </td>
              </tr>
            )}
            {[...pools.data]
              .sort((a, b) => a.name.localeCompare(b.name))
              .map((pool) => (
                <tr
                  key={pool.id}
                  data-testid={`pool-row-${pool.name}`}
                  data-used={pool.usage.allocated}
                  data-free={pool.usage.free}
                  data-blocks-claimed={pool.usage.blocksClaimed}
                  data-fails-at={pool.outlook.failsAt ?? ""}
                >
                  <td>
                    <Link href={`/pools/${pool.id}`} className="mono">
                      {pool.name}
                    </Link>
                    {pool.description && <div className="muted small">{pool.description}</div>}
                  </td>
                  <td className="mono">{pool.cidr}</td>
                  <td className="mono">{pool.gateway ?? "—"}</td>
                  <td>{pool.effectiveBlockSize}</td>
                  <td className="usage-cell">
                    <UsageBar
                      allocated={pool.usage.allocated}
                      coolingDown={pool.usage.coolingDown}
                      usable={pool.usage.usable}
                      free={pool.usage.free}
                    />
                  </td>
                  <td>
                    {pool.usage.blocksClaimed} / {pool.usage.blocksTotal}
                  </td>
                  <td>{pool.usage.hosts.filter((h) => h.hostId !== null).length}</td>
                  <td>
                    {pool.alert && (
                      <span
                        className="status-badge pool-alert-badge"
                        data-testid={`pool-alert-${pool.name}`}
                        title={`Exhaustion alert raised ${pool.alert.raisedAt}`}
                      >
                        alert
                      </span>
                    )}{" "}
                    {pool.outlook.failsAt ? (
                      isDue(pool.outlook.failsAt, now) ? (
                        "now"
                      ) : (
                        `in ${formatSpan(Date.parse(pool.outlook.failsAt) - now)}`
                      )
                    ) : (
                      <span className="muted">not growing</span>
                    )}
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
