import { formatAddress, type IpAddress, parseAddress } from "./address";
import { type BlockLayout, blockLayout, blockOf } from "./blocks";
import { addressAt, type Cidr, contains, formatCidr, offsetOf, parseCidr } from "./cidr";
import { AddressError } from "./errors";
import { type AddressRange, type ReservedSet, reservedSetFor } from "./reserved";

/** A pool's settings as stored (text). */
export interface PoolSettings {
  cidr: string;
  gateway: string | null;
  blockSize: number;
  /** Inclusive ranges; `last` omitted means a single address. */
  reserved: readonly { first: string; last?: string | null }[];
}

/** Everything address math needs about one pool, parsed once. */
export interface PoolPlan {
  cidr: Cidr;
  gateway: IpAddress | null;
  layout: BlockLayout;
  reserved: ReservedSet;
  /** Addresses that can ever be handed out. */
  usable: bigint;
}

function inPool(cidr: Cidr, text: string, what: string): IpAddress {
  const address = parseAddress(text);
  if (!contains(cidr, address)) throw new AddressError(`${what} ${text} is outside ${formatCidr(cidr)}`);
  return address;
}

export function planPool(settings: PoolSettings): PoolPlan {
  const cidr = parseCidr(settings.cidr);
  const gateway = settings.gateway ? inPool(cidr, settings.gateway, "gateway") : null;
  if (!Number.isSafeInteger(settings.blockSize)) throw new AddressError("block size must be an integer");
  const layout = blockLayout(cidr.size, BigInt(settings.blockSize));
  const ranges: AddressRange[] = settings.reserved.map((r) => ({
    first: inPool(cidr, r.first, "reserved address"),
    last: inPool(cidr, r.last ?? r.first, "reserved address"),
  }));
  const reserved = reservedSetFor(cidr, gateway, ranges);
  return { cidr, gateway, layout, reserved, usable: cidr.size - reserved.countIn(0n, cidr.size - 1n) };
}

/** Offset of an address given as text, checked to be inside the pool. */
export const offsetIn = (plan: PoolPlan, text: string): bigint => offsetOf(plan.cidr, parseAddress(text));

export const addressText = (plan: PoolPlan, offset: bigint): string =>
  formatAddress(addressAt(plan.cidr, offset));

export const blockOfOffset = (plan: PoolPlan, offset: bigint): bigint => blockOf(plan.layout, offset);
