const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 86_400_000],
  ["hour", 3_600_000],
  ["minute", 60_000],
  ["second", 1_000],
];

/** "12 s ago", "3 min ago", "never": compact, for dense tables. */
export function formatRelativeTime(iso: string | null, now: number): string {
  if (iso === null) return "never";
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return "unknown";
  const elapsed = now - then;
  if (Math.abs(elapsed) < 5_000) return "just now";
  const absolute = Math.abs(elapsed);
  for (const [unit, size] of units) {
    if (absolute >= size || unit === "second") {
      const value = Math.floor(absolute / size);
      const short = { day: "d", hour: "h", minute: "min", second: "s" }[
        unit as "day" | "hour" | "minute" | "second"
      ];
      return elapsed >= 0 ? `${value} ${short} ago` : `in ${value} ${short}`;
    }
  }
  return "just now";
}

export function formatTimestamp(iso: string | null): string {
  if (iso === null) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}
