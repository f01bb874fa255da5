const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/**
 * One duration grammar for every program's flags and settings: "1500ms", "30s", "1.5m", "24h", "7d",
 * "2w", or a bare number of seconds, in milliseconds; null when the text is not a duration.
 */
export function parseDuration(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/i.exec(text);
  if (!m?.[1]) return null;
  const unit = (m[2] ?? "s").toLowerCase() as keyof typeof UNIT_MS;
  return Math.round(Number(m[1]) * UNIT_MS[unit]);
}
