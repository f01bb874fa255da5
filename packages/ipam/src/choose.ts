import { type BlockLayout, blockRange } from "./blocks";
import type { ReservedSet } from "./reserved";

/**
 * The lowest offset in the given blocks that is neither reserved nor unavailable (held or cooling
 * down), or null when they are full. Cost is bounded by the number of unavailable offsets and
 * reserved ranges, not by the block size.
 */
export function lowestFreeOffset(
  layout: BlockLayout,
  blocks: Iterable<bigint>,
  reserved: ReservedSet,
  unavailable: ReadonlySet<bigint>,
): bigint | null {
  const sorted = [...blocks].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const index of sorted) {
    const { first, last } = blockRange(layout, index);
    let offset = reserved.nextUnreserved(first);
    while (offset <= last) {
      if (!unavailable.has(offset)) return offset;
      offset = reserved.nextUnreserved(offset + 1n);
    }
  }
  return null;
}

/** Addresses of a block that can ever be handed out (block size minus reserved ones). */
export function usableInBlock(layout: BlockLayout, index: bigint, reserved: ReservedSet): bigint {
  const { first, last } = blockRange(layout, index);
  return layout.blockSize - reserved.countIn(first, last);
}

/**
 * Unclaimed blocks worth claiming, lowest first: those with at least one unreserved address.
 * Lazy, so a caller can stop at the first one it wins. A stretch of fully reserved blocks is jumped
 * over in one step (to the block holding the next unreserved offset), so the work per block yielded
 * is bounded by the claimed blocks and reserved ranges passed, never by the pool's size: a /64 whose
 * first 2^48 addresses are reserved costs the same as an empty one.
 */
export function* claimableBlocks(
  layout: BlockLayout,
  claimed: Iterable<bigint>,
  reserved: ReservedSet,
): Generator<bigint> {
  const taken = [...new Set(claimed)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let t = 0;
  let index = 0n;
  while (index < layout.blockCount) {
    while (t < taken.length && (taken[t] as bigint) < index) t++;
    if (taken[t] === index) {
      index++;
      continue;
    }
    const first = index * layout.blockSize;
    const free = reserved.nextUnreserved(first);
    if (free > first + layout.blockSize - 1n) {
      index = free / layout.blockSize;
      continue;
    }
    yield index;
    index++;
  }
}
