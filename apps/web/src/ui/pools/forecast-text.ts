import type { PoolExhaustionReason, PoolOutlook } from "@switchyard/protocol";

/** "2026-12-04 14:05 UTC": the same text on every screen, unlike the browser's locale. */
export function formatUtc(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** "3 d 4 h", "5 h 20 min", "12 min": how far off a forecast date is. */
export function formatSpan(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  if (d > 0) return h > 0 ? `${d} d ${h} h` : `${d} d`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

/**
 * Due now: within the minute (the server's "now" in a forecast is a little ahead of the page's clock,
 * and "in 0 min" says nothing).
 */
export const isDue = (iso: string, now: number): boolean => Date.parse(iso) - now < 60_000;

const signed = (n: number): string => `${n > 0 ? "+" : n < 0 ? "−" : "±"}${Math.abs(n)}`;

/** "the last 24 h", or "the last 10 h" for a younger pool. */
function windowText(seconds: number): string {
  return `the last ${seconds >= 86_400 ? "24 h" : formatSpan(seconds * 1000)}`;
}

const when = (iso: string, now: number) => `${formatUtc(iso)} (in ${formatSpan(Date.parse(iso) - now)})`;

/** The address forecast as a sentence an operator reads at a glance. */
export function addressForecastText(outlook: PoolOutlook, free: string, now: number): string {
  const rate = `${signed(outlook.ratePerHour)}/h`;
  if (free === "0") return "No free address is left: the next allocation fails unless one is released.";
  if (!outlook.exhaustsAt)
    return `Not growing at ${windowText(outlook.rateWindowSeconds)}'s rate (${rate}): no exhaustion forecast.`;
  return `At ${windowText(outlook.rateWindowSeconds)}'s rate (${rate}) this pool runs out of addresses on ${when(outlook.exhaustsAt, now)}.`;
}

/** The block forecast: blocks run out before addresses when hosts hold part-empty blocks. */
export function blockForecastText(
  outlook: PoolOutlook,
  blocksFree: string,
  blocksTotal: string,
  allowBorrow: boolean,
  now: number,
): string {
  const after = allowBorrow
    ? "then hosts borrow free addresses from other hosts' blocks"
    : "then a new host, or one whose blocks are full, gets no address (borrowing is off)";
  if (blocksFree === "0") return `All ${blocksTotal} blocks are claimed: ${after}.`;
  if (!outlook.blocksExhaustAt)
    return `${blocksFree} of ${blocksTotal} blocks free; none claimed at ${windowText(outlook.rateWindowSeconds)}.`;
  return `${blocksFree} of ${blocksTotal} blocks free; at ${signed(outlook.blockRatePerHour)} blocks/h the last is claimed on ${when(outlook.blocksExhaustAt, now)}, ${after}.`;
}

const reasonText: Record<PoolExhaustionReason, string> = {
  addresses: "its free addresses run out",
  blocks: "its last free block is claimed",
  hosts: "a host's blocks are full with no free block left",
};

/** The alert banner: when the first allocation is forecast to fail and why. */
export function alertText(failsAt: string, reason: PoolExhaustionReason, now: number): string {
  const at = isDue(failsAt, now) ? "now" : `on ${when(failsAt, now)}`;
  return `Exhaustion forecast: allocations fail ${at}: ${reasonText[reason]}.`;
}

/** SVG paths (line and area) of a usage series in a width x height box, the y axis from 0 to `max`. */
export function seriesPaths(
  points: readonly { at: string; held: number }[],
  width: number,
  height: number,
  max: number,
): { line: string; area: string } {
  if (points.length === 0) return { line: "", area: "" };
  const t0 = Date.parse(points[0]?.at ?? "");
  const t1 = Date.parse(points[points.length - 1]?.at ?? "");
  const span = Math.max(1, t1 - t0);
  const top = Math.max(1, max);
  const xy = points.map((p) => {
    const x = ((Date.parse(p.at) - t0) / span) * width;
    const y = height - (Math.min(p.held, top) / top) * height;
    return `${x.toFixed(1)},${y.toFixed(1)}`;
  });
  const line = `M${xy.join("L")}`;
  return { line, area: `${line}L${width},${height}L0,${height}Z` };
}
