import { UsageError } from "./errors";

const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** "30s", "15m", "24h", "30d", "2w" in milliseconds; a usage error naming the flag otherwise. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+)(s|m|h|d|w)$/.exec(text.trim());
  if (!m?.[1] || !m[2] || Number(m[1]) === 0) {
    throw new UsageError(`${flag}: "${text}" is not a duration (examples: 90m, 24h, 30d, 2w)`);
  }
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
}

/** An ISO time as given, or a duration meaning that long before `now` ("2h" = two hours ago). */
export function timeOrAgo(text: string, flag: string, now: Date): string {
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const at = new Date(text.trim());
    if (Number.isNaN(at.getTime())) throw new UsageError(`${flag}: "${text}" is not a time`);
    return at.toISOString();
  }
  return new Date(now.getTime() - parseDuration(text, flag)).toISOString();
}
