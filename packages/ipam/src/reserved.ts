import type { IpAddress } from "./address";
import { type Cidr, offsetOf } from "./cidr";
import { AddressError } from "./errors";
import { mergeRanges, type OffsetRange } from "./ranges";

/** Addresses of a pool never handed out automatically, as merged offset ranges. */
export class ReservedSet {
  readonly ranges: readonly OffsetRange[];

  constructor(ranges: readonly OffsetRange[]) {
    this.ranges = mergeRanges(ranges);
  }

  has(offset: bigint): boolean {
    return this.rangeOf(offset) !== undefined;
  }

  /** The smallest offset >= `from` that is not reserved. */
  nextUnreserved(from: bigint): bigint {
    const range = this.rangeOf(from);
    return range ? range.last + 1n : from;
  }

  /** Reserved offsets in [first, last]: a binary search, then only the ranges that overlap. */
  countIn(first: bigint, last: bigint): bigint {
    let count = 0n;
    for (let i = this.firstEndingAtOrAfter(first); i < this.ranges.length; i++) {
      const r = this.ranges[i];
      if (!r || r.first > last) break;
      const lo = r.first > first ? r.first : first;
      const hi = r.last < last ? r.last : last;
      if (lo <= hi) count += hi - lo + 1n;
    }
    return count;
  }

  /** True when every offset of [first, last] is reserved (merged ranges: one range must cover it all). */
  covers(first: bigint, last: bigint): boolean {
    const r = this.rangeOf(first);
    return r !== undefined && r.last >= last;
  }

  /** Index of the first range whose `last` is >= `offset` (ranges.length when none). */
  private firstEndingAtOrAfter(offset: bigint): number {
    let lo = 0;
    let hi = this.ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const r = this.ranges[mid];
      if (r && r.last < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private rangeOf(offset: bigint): OffsetRange | undefined {
    let lo = 0;
    let hi = this.ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const r = this.ranges[mid];
      if (!r) break;
      if (offset < r.first) hi = mid - 1;
      else if (offset > r.last) lo = mid + 1;
      else return r;
    }
    return undefined;
  }
}

export interface AddressRange {
  first: IpAddress;
  last: IpAddress;
}

/**
 * The reserved set of a pool: for IPv4 with a prefix shorter than /31 the network and broadcast
 * addresses (RFC 3021 makes both addresses of a /31 usable; a /32 is one host); for IPv6 with a prefix
 * shorter than /127 the Subnet-Router anycast address (offset 0, RFC 4291; RFC 6164 exempts /127);
 * the gateway; and the user's ranges. Every address must lie in the subnet.
 */
export function reservedSetFor(
  cidr: Cidr,
  gateway: IpAddress | null,
  ranges: readonly AddressRange[],
): ReservedSet {
  const out: OffsetRange[] = [];
  if (cidr.family === 4 && cidr.prefix < 31) {
    out.push({ first: 0n, last: 0n }, { first: cidr.size - 1n, last: cidr.size - 1n });
  }
  if (cidr.family === 6 && cidr.prefix < 127) out.push({ first: 0n, last: 0n });
  if (gateway) {
    const g = offsetOf(cidr, gateway);
    out.push({ first: g, last: g });
  }
  for (const range of ranges) {
    const first = offsetOf(cidr, range.first);
    const last = offsetOf(cidr, range.last);
    if (first > last) throw new AddressError("a reserved range must start before it ends");
    out.push({ first, last });
  }
  return new ReservedSet(out);
}
