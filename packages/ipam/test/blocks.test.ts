import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockLayout, blockOf, blockRange, unclaimedBlocks } from "../src";

const layoutArb = fc
  .record({ poolBits: fc.integer({ min: 0, max: 12 }), blockBits: fc.integer({ min: 0, max: 14 }) })
  .map(({ poolBits, blockBits }) => ({
    pool: 1n << BigInt(poolBits),
    layout: blockLayout(1n << BigInt(poolBits), 1n << BigInt(blockBits)),
  }));

describe("block carving", () => {
  it("blocks are aligned, contiguous, disjoint and cover the pool exactly", () => {
    fc.assert(
      fc.property(layoutArb, ({ pool, layout }) => {
        expect(layout.blockSize * layout.blockCount).toBe(pool);
        let expectedFirst = 0n;
        for (let i = 0n; i < layout.blockCount; i++) {
          const r = blockRange(layout, i);
          expect(r.first).toBe(expectedFirst);
          expect(r.first % layout.blockSize).toBe(0n);
          expect(r.last - r.first + 1n).toBe(layout.blockSize);
          expectedFirst = r.last + 1n;
        }
        expect(expectedFirst).toBe(pool);
      }),
    );
  });
  it("blockOf puts every offset in the block whose range holds it", () => {
    fc.assert(
      fc.property(
        layoutArb.chain((l) => fc.tuple(fc.constant(l), fc.bigInt({ min: 0n, max: l.pool - 1n }))),
        ([{ layout }, o]) => {
          const r = blockRange(layout, blockOf(layout, o));
          return r.first <= o && o <= r.last;
        },
      ),
    );
  });
  it("unclaimedBlocks = every index not claimed, ascending", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.array(fc.integer({ min: 0, max: 70 })),
        (count, claimed) => {
          const layout = { blockSize: 1n, blockCount: BigInt(count) };
          const got = [...unclaimedBlocks(layout, claimed.map(BigInt))];
          const want = [...Array(count).keys()].filter((i) => !claimed.includes(i)).map(BigInt);
          expect(got).toEqual(want);
        },
      ),
    );
  });
  it("edges: block larger than the pool, single-address pools, huge IPv6 pools", () => {
    expect(blockLayout(2n, 16n)).toEqual({ blockSize: 2n, blockCount: 1n });
    expect(blockLayout(1n, 16n)).toEqual({ blockSize: 1n, blockCount: 1n });
    expect(blockLayout(1n << 64n, 16n)).toEqual({ blockSize: 16n, blockCount: 1n << 60n });
    const big = blockLayout(1n << 64n, 16n);
    expect(unclaimedBlocks(big, [0n, 1n, 3n]).next().value).toBe(2n);
    expect(() => blockLayout(256n, 12n)).toThrow(/power of two/);
    expect(() => blockLayout(256n, 0n)).toThrow(/power of two/);
    expect(() => blockRange(blockLayout(256n, 16n), 16n)).toThrow(/does not exist/);
  });
});
