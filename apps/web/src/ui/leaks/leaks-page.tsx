"use client";

import type { LeakFinding } from "@switchyard/protocol";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { RelativeTime } from "../format/relative-time-view";
import { auditHref } from "../queries/audit";
import {
  addressHistoryQuery,
  leakKeys,
  leaksQuery,
  probeLeak,
  releaseLeaks,
  runLeakCheck,
  undoLeakRelease,
} from "../queries/leaks";
import { poolKeys } from "../queries/pools";
import { useHasRole, VIEWER_TITLE } from "../shell/permissions";
import { QueryState } from "../shell/query-state";
import { kindLabel, releaseItems, sortFindings, whereOf } from "./leak-rows";

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Leaked addresses: open findings (and those still within the grace period), select many and release
 * them with a reason, probe one from its host, see an address's history. Test ids: `leaks-table`,
 * rows `leak-row-<address>` (data-kind, data-state), `leak-reason`, `leak-release`, `leak-check`.
 */
export function LeaksPage() {
  const queryClient = useQueryClient();
  const leaks = useQuery(leaksQuery());
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [reason, setReason] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [focus, setFocus] = useState<{ pool: string; address: string } | null>(null);
  const canChange = useHasRole("operator");
  const invalidate = () => {
    void queryClient.invalidateQueries({ queryKey: leakKeys.all });
    void queryClient.invalidateQueries({ queryKey: poolKeys.all });
  };

  const check = useMutation({
    mutationFn: runLeakCheck,
    onSuccess: (r) =>
      setMessage(
        `Checked ${r.allocations} allocations on ${r.hosts} hosts in ${r.durationMs} ms: ${r.open} open, ${r.pending} pending.`,
      ),
    onError: (err) => setMessage(messageOf(err)),
    onSettled: invalidate,
  });
  const release = useMutation({
    mutationFn: (items: { pool: string; address: string }[]) => releaseLeaks(items, reason.trim()),
    onSuccess: (r) => {
      const ok = r.results.filter((x) => x.ok).length;
      const refused = r.results.filter((x) => !x.ok);
      setMessage(
        `Released ${ok} of ${r.results.length}.` +
          (refused.length > 0
            ? ` Refused: ${refused.map((x) => `${x.address} (${x.error?.message ?? "?"})`).join("; ")}`
            : ""),
      );
      setSelected(new Set());
    },
    onError: (err) => setMessage(messageOf(err)),
    onSettled: invalidate,
  });
  const probe = useMutation({
    mutationFn: (id: string) => probeLeak(id),
    onSuccess: (f) =>
      setMessage(
        f.probe?.error
          ? `Probe of ${f.address} failed: ${f.probe.error}`
          : `Probe of ${f.address} on ${f.probe?.iface}: ${f.probe?.answered ? `answered by ${f.probe.macs.join(", ") || "someone"}` : "no answer"}.`,
      ),
    onError: (err) => setMessage(messageOf(err)),
    onSettled: invalidate,
  });

  const findings = leaks.data ? sortFindings(leaks.data.findings) : [];
  const items = releaseItems(findings, selected);
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setSelected(next);
  };

  return (
    <div className="stack">
      <div className="page-header">
        <div>
          <h1>Leaked addresses</h1>
          <p className="muted small">
            Every allocated address compared with what the agents see. A finding is raised after its grace
            period; releasing verifies it again and refuses when the container came back.
            {leaks.data?.lastCheckAt && (
              <>
                {" "}
                Last check <RelativeTime iso={leaks.data.lastCheckAt} />.
              </>
            )}
          </p>
        </div>
        <button
          type="button"
          className="button"
          data-testid="leak-check"
          disabled={check.isPending || !canChange}
          title={canChange ? undefined : VIEWER_TITLE}
          onClick={() => check.mutate()}
        >
          {check.isPending ? "Checking…" : "Check now"}
        </button>
      </div>
      {message && (
        <div className="notice-line" role="status" data-testid="leak-message">
          {message}
        </div>
      )}
      {!leaks.data ? (
        <QueryState error={leaks.error} />
      ) : (
        <>
          <div className="inline-form">
            <input
              data-testid="leak-reason"
              placeholder="Reason (required to release)"
              value={reason}
              maxLength={500}
              onChange={(e) => setReason(e.target.value)}
            />
            <button
              type="button"
              className="button danger"
              data-testid="leak-release"
              disabled={items.length === 0 || reason.trim() === "" || release.isPending || !canChange}
              title={canChange ? undefined : VIEWER_TITLE}
              onClick={() => release.mutate(items)}
            >
              Release {items.length > 0 ? items.length : ""} selected
            </button>
          </div>
          <table className="data-table" data-testid="leaks-table">
            <thead>
              <tr>
                <th aria-label="select" />
                <th>State</th>
                <th>Kind</th>
                <th>Address</th>
                <th>Pool / network</th>
                <th>Where</th>
                <th>Evidence</th>
                <th>First seen</th>
                <th>Last seen</th>
                <th>Probe</th>
              </tr>
            </thead>
            <tbody>
              {findings.length === 0 && (
                <tr>
                  <td colSpan={10} className="muted">
                    No leaked addresses.
                  </td>
                </tr>
              )}
              {findings.map((f) => (
                <FindingRow
                  key={f.id}
                  finding={f}
                  checked={selected.has(f.id)}
                  onToggle={() => toggle(f.id)}
                  onProbe={() => probe.mutate(f.id)}
                  probing={probe.isPending && probe.variables === f.id}
                  onFocus={() => f.poolId && setFocus({ pool: f.poolId, address: f.address })}
                />
              ))}
            </tbody>
          </table>
        </>
      )}
      {focus && <AddressHistoryPanel pool={focus.pool} address={focus.address} onUndone={invalidate} />}
    </div>
  );
}

function FindingRow(props: {
  finding: LeakFinding;
  checked: boolean;
  probing: boolean;
  onToggle: () => void;
  onProbe: () => void;
  onFocus: () => void;
}) {
  const f = props.finding;
  const canChange = useHasRole("operator");
  return (
    <tr data-testid={`leak-row-${f.address}`} data-kind={f.kind} data-state={f.state}>
      <td>
        <input
          type="checkbox"
          aria-label={`select ${f.address}`}
          checked={props.checked}
          disabled={!f.releasable}
          onChange={props.onToggle}
        />
      </td>
      <td>
        <span className={`status-badge ${f.state === "open" ? "status-offline" : "status-pending"}`}>
          {f.state}
        </span>
      </td>
      <td>{kindLabel[f.kind]}</td>
      <td>
        <button
          type="button"
          className="button small mono"
          onClick={props.onFocus}
          title="show the address's history"
        >
          {f.address}
        </button>{" "}
        <Link
          href={auditHref({ address: f.address })}
          className="small"
          data-testid={`leak-audit-${f.address}`}
        >
          audit
        </Link>
      </td>
      <td className="small">
        {f.poolName ?? "—"}
        {f.networkName ? ` / ${f.networkName}` : ""}
      </td>
      <td className="small mono">{whereOf(f)}</td>
      <td className="small">
        {f.evidence.detail}
        {f.evidence.inventoryReceivedAt && (
          <div className="muted">
            inventory <RelativeTime iso={f.evidence.inventoryReceivedAt} />
            {f.evidence.hostLastSeenAt && (
              <>
                , host seen <RelativeTime iso={f.evidence.hostLastSeenAt} />
              </>
            )}
          </div>
        )}
      </td>
      <td className="small">
        <RelativeTime iso={f.firstSeenAt} />
      </td>
      <td className="small">
        <RelativeTime iso={f.lastSeenAt} />
      </td>
      <td className="small">
        {f.probe && (
          <div data-testid={`leak-probe-${f.address}`}>
            {f.probe.error
              ? `error: ${f.probe.error}`
              : f.probe.answered
                ? `answered ${f.probe.macs.join(", ")}`
                : "silent"}
          </div>
        )}
        <button
          type="button"
          className="button small"
          disabled={props.probing || !f.hostId || !canChange}
          title={canChange ? undefined : VIEWER_TITLE}
          onClick={props.onProbe}
        >
          {props.probing ? "Probing…" : "Probe"}
        </button>
      </td>
    </tr>
  );
}

function AddressHistoryPanel(props: { pool: string; address: string; onUndone: () => void }) {
  const history = useQuery(addressHistoryQuery(props.pool, props.address));
  const [error, setError] = useState<string | null>(null);
  const canChange = useHasRole("operator");
  const undo = useMutation({
    mutationFn: (id: string) => undoLeakRelease(id, "undone from the leaks page"),
    onError: (err) => setError(messageOf(err)),
    onSettled: () => {
      void history.refetch();
      props.onUndone();
    },
  });
  return (
    <section className="card" data-testid="address-history">
      <h2>
        History of <span className="mono">{props.address}</span>
        {history.data && <span className="muted small"> in pool {history.data.pool.name}</span>}
      </h2>
      {error && (
        <div className="query-state error" role="alert">
          {error}
        </div>
      )}
      {!history.data ? (
        <QueryState error={history.error} />
      ) : (
        <table className="data-table">
          <thead>
            <tr>
              <th>When</th>
              <th>Event</th>
              <th>By</th>
              <th>Host</th>
              <th>Why</th>
              <th>What</th>
              <th aria-label="actions" />
            </tr>
          </thead>
          <tbody>
            {history.data.events.map((e) => {
              const rel =
                e.kind === "leak_release" ? history.data.releases.find((r) => r.id === e.refId) : undefined;
              const undoable =
                rel &&
                !rel.undoneAt &&
                rel.reusableAt !== null &&
                new Date(rel.reusableAt).getTime() > Date.now();
              return (
                <tr key={`${e.kind}-${e.refId}-${e.at}`}>
                  <td className="small">
                    <RelativeTime iso={e.at} />
                  </td>
                  <td>{e.kind}</td>
                  <td className="small">{e.actor ?? "—"}</td>
                  <td className="small">{e.hostName ?? "—"}</td>
                  <td className="small">{e.reason ?? "—"}</td>
                  <td className="small">{e.summary}</td>
                  <td>
                    {undoable && rel && (
                      <button
                        type="button"
                        className="button small"
                        disabled={!canChange}
                        title={canChange ? undefined : VIEWER_TITLE}
                        onClick={() => undo.mutate(rel.id)}
                      >
                        Undo
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
