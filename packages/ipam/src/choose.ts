import { type BlockLayout, blockRange, unclaimedBlocks } from "./blocks";
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
 * Lazy, so a caller can stop at the first one it wins.
 */
export function* claimableBlocks(
  layout: BlockLayout,
  claimed: Iterable<bigint>,
  reserved: ReservedSet,
): Generator<bigint> {
  for (const index of unclaimedBlocks(layout, claimed)) {
    if (usableInBlock(layout, index, reserved) > 0n) yield index;
  }
}
