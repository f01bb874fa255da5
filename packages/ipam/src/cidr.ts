import { type Family, familyBits, formatAddress, type IpAddress, parseAddress } from "./address";
import { AddressError } from "./errors";

/** A subnet: `network` has no host bits set; `size` = 2^(bits - prefix). */
export interface Cidr {
  family: Family;
  network: bigint;
  prefix: number;
  size: bigint;
}

export function makeCidr(family: Family, network: bigint, prefix: number): Cidr {
  const bits = familyBits(family);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > bits) {
    throw new AddressError(`prefix length must be between 0 and ${bits}`);
  }
  const size = 1n << BigInt(bits - prefix);
  if (network % size !== 0n) throw new AddressError("network address has host bits set");
  return { family, network, prefix, size };
}

/**
 * Parses `address/prefix`. With `strict` (the default) host bits must be zero (`10.0.0.1/24` is refused:
 * it usually means a typo); otherwise they are masked off.
 */
export function parseCidr(text: string, options: { strict?: boolean } = {}): Cidr {
  const match = /^([^/]+)\/(\d{1,3})$/.exec(text.trim());
  if (!match?.[1] || !match[2])
    throw new AddressError(`not a CIDR (address/prefix): ${JSON.stringify(text)}`);
  const address = parseAddress(match[1]);
  const prefix = Number(match[2]);
  const bits = familyBits(address.family);
  if (prefix > bits) throw new AddressError(`prefix length must be between 0 and ${bits}`);
  const size = 1n << BigInt(bits - prefix);
  const network = address.value - (address.value % size);
  if (network !== address.value && options.strict !== false) {
    throw new AddressError(
      `${text} has host bits set; the network is ${formatAddress({ family: address.family, value: network })}/${prefix}`,
    );
  }
  return makeCidr(address.family, network, prefix);
}

export const formatCidr = (cidr: Cidr): string =>
  `${formatAddress({ family: cidr.family, value: cidr.network })}/${cidr.prefix}`;

export const contains = (cidr: Cidr, address: IpAddress): boolean =>
  address.family === cidr.family && address.value >= cidr.network && address.value < cidr.network + cidr.size;

/** Position of an address inside the subnet, 0 = the network address. Throws when outside. */
export function offsetOf(cidr: Cidr, address: IpAddress): bigint {
  if (!contains(cidr, address))
    throw new AddressError(`${formatAddress(address)} is outside ${formatCidr(cidr)}`);
  return address.value - cidr.network;
}

export function addressAt(cidr: Cidr, offset: bigint): IpAddress {
  if (offset < 0n || offset >= cidr.size)
    throw new AddressError(`offset ${offset} is outside ${formatCidr(cidr)}`);
  return { family: cidr.family, value: cidr.network + offset };
}

export const formatOffset = (cidr: Cidr, offset: bigint): string => formatAddress(addressAt(cidr, offset));
