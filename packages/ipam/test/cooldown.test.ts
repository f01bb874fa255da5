import fc from "fast-check";
import { expect, it } from "vitest";
import { blockGraceOver, isCoolingDown, reusableAt } from "../src";

it("an address cools down for exactly cooldownSeconds", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 2e12 }),
      fc.integer({ min: 0, max: 86400 }),
      fc.integer({ min: -1e6, max: 1e8 }),
      (t, cooldown, dt) => {
        const until = reusableAt(new Date(t), cooldown);
        expect(isCoolingDown(until, new Date(t + dt))).toBe(dt < cooldown * 1000);
      },
    ),
  );
  expect(isCoolingDown(null, new Date())).toBe(false);
  expect(blockGraceOver(null, 0, new Date())).toBe(false);
  expect(blockGraceOver(new Date(1000), 1, new Date(2000))).toBe(true);
  expect(blockGraceOver(new Date(1000), 1, new Date(1999))).toBe(false);
});
