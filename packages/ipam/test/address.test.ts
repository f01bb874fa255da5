import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { canonicalAddress, formatIpv4, formatIpv6, parseAddress, parseIpv4, parseIpv6 } from "../src";

const u32 = fc.bigInt({ min: 0n, max: (1n << 32n) - 1n });
const u128 = fc.bigInt({ min: 0n, max: (1n << 128n) - 1n });
// IPv6 values with long zero runs, where compression matters.
const sparse128 = fc
  .array(fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff })), {
    minLength: 8,
    maxLength: 8,
  })
  .map((gs) => gs.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n));

describe("IPv4", () => {
  it("parse(format(x)) = x", () => {
    fc.assert(fc.property(u32, (v) => parseIpv4(formatIpv4(v)) === v));
  });
  it("refuses malformed text", () => {
    for (const bad of [
      "",
      "1.2.3",
      "1.2.3.4.5",
      "256.0.0.1",
      "01.2.3.4",
      "1.2.3.-1",
      "a.b.c.d",
      " 1.2.3.4x",
    ]) {
      expect(parseIpv4(bad), bad).toBeNull();
    }
  });
  it("edges", () => {
    expect(formatIpv4(0n)).toBe("0.0.0.0");
    expect(formatIpv4(0xffffffffn)).toBe("255.255.255.255");
    expect(parseAddress("10.10.103.95")).toEqual({ family: 4, value: 0x0a0a675fn });
  });
});

describe("IPv6", () => {
  it("parse(format(x)) = x", () => {
    fc.assert(fc.property(fc.oneof(u128, sparse128), (v) => parseIpv6(formatIpv6(v)) === v));
  });
  it("format is RFC 5952: lowercase, no leading zeros, one '::' replacing the longest zero run of >= 2", () => {
    fc.assert(
      fc.property(fc.oneof(u128, sparse128), (v) => {
        const text = formatIpv6(v);
        expect(text).toBe(text.toLowerCase());
        expect(text.split("::").length).toBeLessThanOrEqual(2);
        for (const g of text.split(/::?/)) if (g !== "") expect(g).toMatch(/^(0|[1-9a-f][0-9a-f]{0,3})$/);
        const full = [...Array(8).keys()].map((i) => Number((v >> BigInt(112 - 16 * i)) & 0xffffn));
        let longest = 0;
        let run = 0;
        for (const g of full) {
          run = g === 0 ? run + 1 : 0;
          longest = Math.max(longest, run);
        }
        expect(text.includes("::")).toBe(longest >= 2);
      }),
    );
  });
  it("expanded and compressed forms parse alike", () => {
    fc.assert(
      fc.property(sparse128, (v) => {
        const full = [...Array(8).keys()]
          .map((i) => ((v >> BigInt(112 - 16 * i)) & 0xffffn).toString(16).padStart(4, "0"))
          .join(":");
        return parseIpv6(full) === v && parseIpv6(full.toUpperCase()) === v;
      }),
    );
  });
  it("examples", () => {
    expect(formatIpv6(0n)).toBe("::");
    expect(formatIpv6(1n)).toBe("::1");
    expect(canonicalAddress("2001:0db8:0000:0000:0000:0000:0000:0001")).toBe("2001:db8::1");
    expect(canonicalAddress("2001:db8:0:0:1:0:0:1")).toBe("2001:db8::1:0:0:1");
    expect(canonicalAddress("2001:db8:0:1:1:1:1:1")).toBe("2001:db8:0:1:1:1:1:1");
    expect(canonicalAddress("fe80::")).toBe("fe80::");
    expect(parseIpv6("::ffff:10.0.0.1")).toBe(0xffff0a000001n);
  });
  it("refuses malformed text", () => {
    for (const bad of [
      "",
      ":",
      ":::",
      "1::2::3",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "12345::",
      "g::",
      "::1.2.3",
      "1.2.3.4::",
      "1:2:3:4:5:6:7::8:9",
      "fe80::1%eth0",
    ]) {
      expect(parseIpv6(bad), bad).toBeNull();
    }
    expect(() => parseAddress("bogus")).toThrow(/not an IP address/);
  });
});
