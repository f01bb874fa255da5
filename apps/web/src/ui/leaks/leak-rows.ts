import type { LeakFinding, LeakKind } from "@switchyard/protocol";

/** Pure helpers of the leaks page (tested without a browser). */

export const kindLabel: Record<LeakKind, string> = {
  host_offline: "Host offline",
  container_gone: "Container gone",
  interface_missing: "Interface missing",
  address_mismatch: "Address mismatch",
  unknown_address: "Unknown address",
  duplicate_address: "Duplicate address",
};

/** Open first, then pending; most recently first seen first; stable by id. */
export function sortFindings(findings: readonly LeakFinding[]): LeakFinding[] {
  const rank = (f: LeakFinding) => (f.state === "open" ? 0 : f.state === "pending" ? 1 : 2);
  return [...findings].sort(
    (a, b) => rank(a) - rank(b) || b.firstSeenAt.localeCompare(a.firstSeenAt) || a.id.localeCompare(b.id),
  );
}

/** The release request for the selected findings: one item per (pool, address), releasable only. */
export function releaseItems(
  findings: readonly LeakFinding[],
  selected: ReadonlySet<string>,
): { pool: string; address: string }[] {
  const seen = new Set<string>();
  const out: { pool: string; address: string }[] = [];
  for (const f of findings) {
    if (!selected.has(f.id) || !f.releasable || !f.poolId) continue;
    const key = `${f.poolId}|${f.address}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ pool: f.poolId, address: f.address });
  }
  return out;
}

/** Where the address is, in words. */
export function whereOf(f: LeakFinding): string {
  const parts = [f.hostName ?? f.hostId ?? "?"];
  if (f.container) parts.push(f.container);
  if (f.ifname) parts.push(f.ifname);
  return parts.join(" / ");
}

/** The nav link's text: "Leaks" or "Leaks (3)" for open findings. */
export const leaksNavLabel = (open: number | undefined): string => (open ? `Leaks (${open})` : "Leaks");
