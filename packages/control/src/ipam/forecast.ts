import type { PoolExhaustionReason, PoolHostOutlook, PoolOutlook } from "@switchyard/protocol";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** The recent rate is the net change over this window (or the pool's whole life when it is younger). */
export const RATE_WINDOW_MS = DAY;
const SERIES_SPAN_MS = 7 * DAY;
const SERIES_MAX_BUCKETS = 168;
/** Each divides RATE_WINDOW_MS, so a series' points fall on the rate window's start. */
const BUCKET_SIZES_MS = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR] as const;
/** Beyond this a date says nothing an operator can act on (and an IPv6 pool would overflow Date). */
const MAX_FORECAST_MS = 100 * 365 * DAY;

export interface HistoryWindow {
  start: Date;
  bucketMs: number;
  buckets: number;
}

/**
 * The usage chart's span: the pool's life, at most 7 days, cut into the smallest of 1 min, 5 min,
 * 15 min or 1 h buckets that gives at most 168 of them, the last one ending now.
 */
export function historyWindow(createdAt: Date, now: Date): HistoryWindow {
  const span = Math.max(MINUTE, Math.min(SERIES_SPAN_MS, now.getTime() - createdAt.getTime()));
  const bucketMs = BUCKET_SIZES_MS.find((b) => Math.ceil(span / b) <= SERIES_MAX_BUCKETS) ?? HOUR;
  const buckets = Math.ceil(span / bucketMs);
  return { start: new Date(now.getTime() - buckets * bucketMs), bucketMs, buckets };
}

export interface BucketCounts {
  /** 0 for the bucket starting at the window's start. */
  index: number;
  allocated: number;
  released: number;
}

/** Addresses held at the window's start and at the end of every bucket (buckets without rows held steady). */
export function usageSeries(
  window: HistoryWindow,
  heldAtStart: number,
  counts: readonly BucketCounts[],
): { at: string; held: number }[] {
  const net = new Array<number>(window.buckets).fill(0);
  for (const c of counts) {
    if (c.index >= 0 && c.index < window.buckets)
      net[c.index] = (net[c.index] ?? 0) + c.allocated - c.released;
  }
  const t0 = window.start.getTime();
  const points = [{ at: window.start.toISOString(), held: heldAtStart }];
  let held = heldAtStart;
  net.forEach((n, i) => {
    held += n;
    points.push({ at: new Date(t0 + (i + 1) * window.bucketMs).toISOString(), held });
  });
  return points;
}

/** The rate window of a pool: the last 24 h, its life when younger (at least a minute). */
export function rateWindowMs(createdAt: Date, now: Date): number {
  return Math.max(MINUTE, Math.min(RATE_WINDOW_MS, now.getTime() - createdAt.getTime()));
}

const perHour = (net: number, windowMs: number): number => Math.round(((net * HOUR) / windowMs) * 100) / 100;

/** When `free` reaches 0 at `ratePerHour`: now when nothing is free, null when not growing or past a century. */
export function runsOutAt(now: Date, free: bigint, ratePerHour: number): Date | null {
  if (free <= 0n) return now;
  if (!(ratePerHour > 0)) return null;
  const ms = (Number(free) / ratePerHour) * HOUR;
  return ms < MAX_FORECAST_MS ? new Date(now.getTime() + Math.ceil(ms)) : null;
}

/** A host's blocks in a pool, what they hold, and the net change in them over the rate window. */
export interface HostBlocks {
  hostId: string | null;
  hostName: string | null;
  blocks: number;
  capacity: number;
  held: number;
  netInWindow: number;
}

export interface OutlookInput {
  now: Date;
  createdAt: Date;
  horizonMs: number;
  allowBorrow: boolean;
  /** Usable addresses neither allocated nor cooling down. */
  free: bigint;
  blocksFree: bigint;
  /** Addresses allocated minus released since the rate window's start. */
  netInWindow: number;
  /** Blocks still claimed that were claimed since the rate window's start. */
  blocksClaimedInWindow: number;
  hosts: readonly HostBlocks[];
}

export interface Outlook extends PoolOutlook {
  /** Every host with blocks, by name. */
  hosts: PoolHostOutlook[];
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/**
 * The forecast at the recent rate. What fails first is the earliest of: free addresses at 0; without
 * borrowing, the last free block claimed (a new host, or one whose blocks are full, then gets nothing);
 * with no free block left and without borrowing, the first host whose blocks are full. Borrowing takes
 * any free address of the pool, so then only the addresses count.
 */
export function poolOutlook(input: OutlookInput): Outlook {
  const { now } = input;
  const windowMs = rateWindowMs(input.createdAt, now);
  const ratePerHour = perHour(input.netInWindow, windowMs);
  const blockRatePerHour = perHour(input.blocksClaimedInWindow, windowMs);
  const exhaustsAt = runsOutAt(now, input.free, ratePerHour);
  const blocksExhaustAt = runsOutAt(now, input.blocksFree, blockRatePerHour);
  const hosts: PoolHostOutlook[] = input.hosts
    .map((h) => {
      const rate = perHour(h.netInWindow, windowMs);
      const room = BigInt(Math.max(0, h.capacity - h.held));
      return {
        hostId: h.hostId,
        hostName: h.hostName,
        blocks: h.blocks,
        capacity: h.capacity,
        held: h.held,
        ratePerHour: rate,
        fullAt: iso(h.blocks > 0 ? runsOutAt(now, room, rate) : now),
      };
    })
    .sort((a, b) => (a.hostName ?? a.hostId ?? "").localeCompare(b.hostName ?? b.hostId ?? ""));
  const horizonEnd = now.getTime() + input.horizonMs;
  const hostsWithoutFreeBlock =
    input.blocksFree > 0n
      ? []
      : hosts
          .filter((h) => h.fullAt !== null && Date.parse(h.fullAt) <= horizonEnd)
          .sort((a, b) => Date.parse(a.fullAt ?? "") - Date.parse(b.fullAt ?? ""));

  const candidates: [PoolExhaustionReason, Date | null][] = [["addresses", exhaustsAt]];
  if (!input.allowBorrow) {
    if (input.blocksFree > 0n) candidates.push(["blocks", blocksExhaustAt]);
    else {
      const first = hosts
        .map((h) => (h.fullAt ? Date.parse(h.fullAt) : Number.POSITIVE_INFINITY))
        .reduce((a, b) => Math.min(a, b), Number.POSITIVE_INFINITY);
      candidates.push(["hosts", Number.isFinite(first) ? new Date(first) : null]);
    }
  }
  let failsAt: Date | null = null;
  let failsBecause: PoolExhaustionReason | null = null;
  for (const [reason, at] of candidates) {
    // Strictly earlier: on a tie the address count, the plainer cause, is named.
    if (at && (failsAt === null || at.getTime() < failsAt.getTime())) {
      failsAt = at;
      failsBecause = reason;
    }
  }
  return {
    computedAt: now.toISOString(),
    rateWindowSeconds: Math.round(windowMs / 1000),
    ratePerHour,
    exhaustsAt: iso(exhaustsAt),
    blockRatePerHour,
    blocksExhaustAt: iso(blocksExhaustAt),
    hostsWithoutFreeBlock,
    failsAt: iso(failsAt),
    failsBecause,
    hosts,
  };
}

/** What the periodic check does with a pool's episode. */
export type AlertStep = "raise" | "keep" | "resolve" | "none";

/**
 * Raised when the forecast failure is within the horizon; an open episode ends only once it is past
 * twice the horizon (or gone), so a rate wobbling around the threshold does not alert again and again.
 */
export function alertStep(failsAt: string | null, now: Date, horizonMs: number, open: boolean): AlertStep {
  const within = (k: number) => failsAt !== null && Date.parse(failsAt) <= now.getTime() + k * horizonMs;
  if (!open) return within(1) ? "raise" : "none";
  return within(2) ? "keep" : "resolve";
}
