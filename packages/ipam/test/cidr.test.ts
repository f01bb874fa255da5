import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addressAt, contains, type Family, formatCidr, makeCidr, offsetOf, parseCidr } from "../src";

const cidrArb = fc
  .constantFrom<Family>(4, 6)
  .chain((family) => {
    const bits = family === 4 ? 32 : 128;
    return fc.record({
      family: fc.constant(family),
      prefix: fc.integer({ min: 0, max: bits }),
      seed: fc.bigInt({ min: 0n, max: (1n << BigInt(bits)) - 1n }),
    });
  })
  .map(({ family, prefix, seed }) => {
    const size = 1n << BigInt((family === 4 ? 32 : 128) - prefix);
    return makeCidr(family, seed - (seed % size), prefix);
  });

describe("CIDR", () => {
  it("format then parse is the identity", () => {
    fc.assert(
      fc.property(cidrArb, (c) => {
        expect(parseCidr(formatCidr(c))).toEqual(c);
      }),
    );
  });
  it("offsetOf(addressAt(o)) = o; first and last inside, neighbours outside", () => {
    fc.assert(
      fc.property(
        cidrArb.chain((c) => fc.tuple(fc.constant(c), fc.bigInt({ min: 0n, max: c.size - 1n }))),
        ([c, o]) => {
          expect(offsetOf(c, addressAt(c, o))).toBe(o);
          expect(contains(c, { family: c.family, value: c.network })).toBe(true);
          expect(contains(c, { family: c.family, value: c.network + c.size - 1n })).toBe(true);
          expect(contains(c, { family: c.family, value: c.network + c.size })).toBe(false);
          expect(contains(c, { family: c.family, value: c.network - 1n })).toBe(false);
          expect(contains(c, { family: c.family === 4 ? 6 : 4, value: c.network })).toBe(false);
        },
      ),
    );
  });
  it("refuses host bits unless told to mask them", () => {
    expect(() => parseCidr("10.10.103.95/24")).toThrow(/host bits set; the network is 10.10.103.0\/24/);
    expect(formatCidr(parseCidr("10.10.103.95/24", { strict: false }))).toBe("10.10.103.0/24");
    expect(() => parseCidr("2001:db8::1/64")).toThrow(/host bits/);
  });
  it("edges /0 /31 /32 /127 /128", () => {
    expect(parseCidr("0.0.0.0/0").size).toBe(1n << 32n);
    expect(parseCidr("10.0.0.0/31").size).toBe(2n);
    expect(parseCidr("10.0.0.7/32").size).toBe(1n);
    expect(parseCidr("2001:db8::/127").size).toBe(2n);
    expect(parseCidr("2001:db8::5/128").size).toBe(1n);
    expect(parseCidr("::/0").size).toBe(1n << 128n);
  });
  it("refuses malformed CIDRs", () => {
    for (const bad of ["10.0.0.0", "10.0.0.0/33", "10.0.0.0/-1", "::/129", "10.0.0.0/24/1", "/24", "x/8"]) {
      expect(() => parseCidr(bad), bad).toThrow();
    }
  });
});
