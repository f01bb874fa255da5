/** An inclusive range of offsets inside a pool. */
export interface OffsetRange {
  first: bigint;
  last: bigint;
}

/** Sorts and merges overlapping or adjacent ranges. */
export function mergeRanges(ranges: readonly OffsetRange[]): OffsetRange[] {
  const sorted = ranges
    .filter((r) => r.first <= r.last)
    .map((r) => ({ ...r }))
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : 0));
  const merged: OffsetRange[] = [];
  for (const range of sorted) {
    const prev = merged[merged.length - 1];
    if (prev && range.first <= prev.last + 1n) {
      if (range.last > prev.last) prev.last = range.last;
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/** Number of offsets in [first, last] covered by the merged ranges. */
export function coveredCount(merged: readonly OffsetRange[], first: bigint, last: bigint): bigint {
  let count = 0n;
  for (const r of merged) {
    const lo = r.first > first ? r.first : first;
    const hi = r.last < last ? r.last : last;
    if (lo <= hi) count += hi - lo + 1n;
  }
  return count;
}
