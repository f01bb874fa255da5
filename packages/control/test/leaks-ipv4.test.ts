import { parseIpv4 } from "@switchyard/ipam";
import fc from "fast-check";
import { expect, it } from "vitest";
import { ipv4Number } from "../src/leaks/find";

it("the leak check's IPv4 fast path accepts exactly what parseIpv4 accepts, with the same value", () => {
  const octet = fc.oneof(
    fc.integer({ min: 0, max: 300 }).map(String),
    fc.constantFrom("00", "01", "007", "", "-1", "1a", " 1", "256", "0x1"),
  );
  const text = fc.oneof(
    fc.array(octet, { minLength: 1, maxLength: 6 }).map((parts) => parts.join(".")),
    fc.string(),
    fc.constantFrom("1.2.3.4.", ".1.2.3", "1..2.3", "::1", "10.0.0.1/8"),
  );
  fc.assert(
    fc.property(text, (t) => {
      const want = parseIpv4(t);
      expect(ipv4Number(t)).toBe(want === null ? -1 : Number(want));
    }),
    { numRuns: 5000 },
  );
  expect(ipv4Number("255.255.255.255")).toBe(2 ** 32 - 1);
});
