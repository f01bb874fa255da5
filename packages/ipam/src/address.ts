import { AddressError } from "./errors";

export type Family = 4 | 6;

/** An IP address as a number: IPv4 in [0, 2^32), IPv6 in [0, 2^128). */
export interface IpAddress {
  family: Family;
  value: bigint;
}

export const familyBits = (family: Family): number => (family === 4 ? 32 : 128);
export const familyMax = (family: Family): bigint => (1n << BigInt(familyBits(family))) - 1n;

const IPV4_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)$/;
const IPV6_GROUP = /^[0-9a-f]{1,4}$/i;

/** Parses dotted-quad IPv4 (no leading zeros, which some tools read as octal). */
export function parseIpv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!IPV4_OCTET.test(part)) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseGroups(text: string): bigint[] | null {
  if (text === "") return [];
  const groups: bigint[] = [];
  const parts = text.split(":");
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1 && part.includes(".")) {
      const v4 = parseIpv4(part);
      if (v4 === null) return null;
      groups.push(v4 >> 16n, v4 & 0xffffn);
    } else {
      if (!IPV6_GROUP.test(part)) return null;
      groups.push(BigInt(`0x${part}`));
    }
  }
  return groups;
}

/** Parses IPv6 text: full, `::`-compressed, or with an embedded dotted IPv4 tail. No zone ids. */
export function parseIpv6(text: string): bigint | null {
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0] ?? "");
  const tail = halves.length === 2 ? parseGroups(halves[1] ?? "") : [];
  if (head === null || tail === null) return null;
  // A dotted IPv4 tail is only allowed at the very end.
  if (halves.length === 2 && (halves[0] ?? "").includes(".")) return null;
  let groups: bigint[];
  if (halves.length === 2) {
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return null;
    groups = [...head, ...new Array<bigint>(missing).fill(0n), ...tail];
  } else {
    groups = head;
  }
  if (groups.length !== 8) return null;
  return groups.reduce((acc, g) => (acc << 16n) | g, 0n);
}

export function parseAddress(text: string): IpAddress {
  const trimmed = text.trim();
  if (trimmed.includes(":")) {
    const value = parseIpv6(trimmed);
    if (value !== null) return { family: 6, value };
  } else {
    const value = parseIpv4(trimmed);
    if (value !== null) return { family: 4, value };
  }
  throw new AddressError(`not an IP address: ${JSON.stringify(text)}`);
}

export function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join(".");
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (>= 2) of zero groups as `::`, leftmost on a tie. */
export function formatIpv6(value: bigint): string {
  const groups: number[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(Number((value >> shift) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (gs: number[]) => gs.map((g) => g.toString(16)).join(":");
  if (bestLen < 2) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLen))}`;
}

export function formatAddress(address: IpAddress): string {
  return address.family === 4 ? formatIpv4(address.value) : formatIpv6(address.value);
}

/** Canonical text of an address given as text (throws on garbage). */
export const canonicalAddress = (text: string): string => formatAddress(parseAddress(text));
