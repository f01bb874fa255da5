const units: [label: string, milliseconds: number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["min", 60_000],
  ["s", 1_000],
];

/** "12 s ago", "3 min ago", "never": compact, for dense tables. */
export function formatRelativeTime(iso: string | null, now: number): string {
  if (iso === null) return "never";
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "unknown";
  const elapsed = now - then;
  const absolute = Math.abs(elapsed);
  if (absolute < 5_000) return "just now";
  const [label, size] = units.find(([, unitSize]) => absolute >= unitSize) ?? ["s", 1_000];
  const value = Math.floor(absolute / size);
  return elapsed >= 0 ? `${value} ${label} ago` : `in ${value} ${label}`;
}

export function formatTimestamp(iso: string | null): string {
  if (iso === null) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
