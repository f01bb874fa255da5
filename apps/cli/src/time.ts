import { parseDuration } from "@switchyard/protocol";
import { UsageError } from "./errors";

/** A flag's duration ("30s", "15m", "24h", "30d", "2w") in milliseconds; a usage error naming the flag otherwise. */
export function flagDuration(text: string, flag: string): number {
  const ms = parseDuration(text);
  if (!ms) throw new UsageError(`${flag}: "${text}" is not a duration (examples: 90m, 24h, 30d, 2w)`);
  return ms;
}

/** An ISO time as given, or a duration meaning that long before `now` ("2h" = two hours ago). */
export function timeOrAgo(text: string, flag: string, now: Date): string {
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const at = new Date(text.trim());
    if (Number.isNaN(at.getTime())) throw new UsageError(`${flag}: "${text}" is not a time`);
    return at.toISOString();
  }
  return new Date(now.getTime() - flagDuration(text, flag)).toISOString();
}
