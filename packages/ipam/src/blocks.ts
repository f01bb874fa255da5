import { AddressError } from "./errors";
import type { OffsetRange } from "./ranges";

/**
 * How a pool is cut into blocks: `blockSize` contiguous offsets each, aligned to `blockSize`
 * (block i covers offsets [i * blockSize, (i + 1) * blockSize)). A block larger than the pool
 * is clamped to the pool: one block, the whole pool.
 */
export interface BlockLayout {
  blockSize: bigint;
  blockCount: bigint;
}

export const isPowerOfTwo = (n: bigint): boolean => n > 0n && (n & (n - 1n)) === 0n;

export function blockLayout(poolSize: bigint, requestedBlockSize: bigint): BlockLayout {
  if (!isPowerOfTwo(poolSize)) throw new AddressError("pool size must be a power of two");
  if (!isPowerOfTwo(requestedBlockSize)) throw new AddressError("block size must be a power of two >= 1");
  const blockSize = requestedBlockSize < poolSize ? requestedBlockSize : poolSize;
  return { blockSize, blockCount: poolSize / blockSize };
}

export const blockOf = (layout: BlockLayout, offset: bigint): bigint => offset / layout.blockSize;

export function blockRange(layout: BlockLayout, index: bigint): OffsetRange {
  if (index < 0n || index >= layout.blockCount) throw new AddressError(`block ${index} does not exist`);
  const first = index * layout.blockSize;
  return { first, last: first + layout.blockSize - 1n };
}

/** Block indices in ascending order, skipping `claimed` (need not be sorted). Lazy: pools may have 2^60 blocks. */
export function* unclaimedBlocks(layout: BlockLayout, claimed: Iterable<bigint>): Generator<bigint> {
  const taken = [...new Set(claimed)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let next = 0n;
  for (const index of taken) {
    for (; next < index && next < layout.blockCount; next++) yield next;
    if (next === index) next++;
  }
  for (; next < layout.blockCount; next++) yield next;
}
