import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { blockLayout, blockRange, claimableBlocks, lowestFreeOffset, planPool, ReservedSet } from "../src";

const rangesArb = (max: number) =>
  fc.array(
    fc.tuple(fc.integer({ min: 0, max }), fc.integer({ min: 0, max: 8 })).map(([a, n]) => ({
      first: BigInt(a),
      last: BigInt(Math.min(a + n, max)),
    })),
    { maxLength: 6 },
  );

describe("reserved set", () => {
  it("has / nextUnreserved / countIn agree with a brute-force check", () => {
    fc.assert(
      fc.property(rangesArb(63), fc.integer({ min: 0, max: 63 }), (ranges, o) => {
        const set = new ReservedSet(ranges);
        const naive = (x: bigint) => ranges.some((r) => r.first <= x && x <= r.last);
        expect(set.has(BigInt(o))).toBe(naive(BigInt(o)));
        let next = BigInt(o);
        while (naive(next)) next++;
        expect(set.nextUnreserved(BigInt(o))).toBe(next);
        let count = 0n;
        for (let x = 0n; x < 64n; x++) if (naive(x)) count++;
        expect(set.countIn(0n, 63n)).toBe(count);
      }),
    );
  });
  it("countIn and covers on any window agree with a brute-force check", () => {
    fc.assert(
      fc.property(
        rangesArb(63),
        fc.integer({ min: 0, max: 63 }),
        fc.integer({ min: 0, max: 63 }),
        (ranges, a, b) => {
          const [lo, hi] = a <= b ? [BigInt(a), BigInt(b)] : [BigInt(b), BigInt(a)];
          const set = new ReservedSet(ranges);
          let count = 0n;
          for (let x = lo; x <= hi; x++) if (ranges.some((r) => r.first <= x && x <= r.last)) count++;
          expect(set.countIn(lo, hi)).toBe(count);
          expect(set.covers(lo, hi)).toBe(count === hi - lo + 1n);
        },
      ),
    );
  });
});

describe("claimableBlocks", () => {
  it("= unclaimed blocks with an unreserved address, ascending (brute force)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        rangesArb(127),
        fc.array(fc.integer({ min: 0, max: 130 })),
        (blockBits, ranges, claimed) => {
          const layout = blockLayout(128n, 1n << BigInt(blockBits));
          const reserved = new ReservedSet(ranges);
          const want: bigint[] = [];
          for (let b = 0n; b < layout.blockCount; b++) {
            if (claimed.includes(Number(b))) continue;
            const { first, last } = blockRange(layout, b);
            let usable = false;
            for (let o = first; o <= last; o++) if (!reserved.has(o)) usable = true;
            if (usable) want.push(b);
          }
          expect([...claimableBlocks(layout, claimed.map(BigInt), reserved)]).toEqual(want);
        },
      ),
    );
  });
  it("jumps over 2^44 fully reserved blocks of a /64 in one step", () => {
    const plan = planPool({
      cidr: "2001:db8:8414::/64",
      gateway: null,
      blockSize: 16,
      reserved: [
        { first: "2001:db8:8414::", last: "2001:db8:8414::ffff:ffff:ffff" },
        { first: "2001:db8:8414:0:1::10", last: "2001:db8:8414:0:2::5" },
      ],
    });
    const blocks = claimableBlocks(plan.layout, [1n << 44n], plan.reserved);
    // Block 2^44 is claimed; the next ones up to offset 2^49 + 5 are reserved; its block still has 10 free.
    expect(blocks.next().value).toBe((2n << 48n) / 16n);
    expect(blocks.next().value).toBe((2n << 48n) / 16n + 1n);
    expect(plan.usable).toBe((1n << 64n) - (1n << 48n) - ((1n << 48n) + 6n - 16n));
  });
});

describe("lowestFreeOffset", () => {
  it("returns the lowest offset of the given blocks that is neither reserved nor taken", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }),
        fc.subarray([0, 1, 2, 3, 4, 5, 6, 7]),
        rangesArb(127),
        fc.array(fc.integer({ min: 0, max: 127 })),
        (blockBits, blocks, ranges, taken) => {
          const layout = blockLayout(128n, 1n << BigInt(blockBits));
          const indices = blocks.map(BigInt).filter((b) => b < layout.blockCount);
          const reserved = new ReservedSet(ranges);
          const unavailable = new Set(taken.map(BigInt));
          let want: bigint | null = null;
          for (const b of [...indices].sort((x, y) => Number(x - y))) {
            const { first, last } = blockRange(layout, b);
            for (let o = first; o <= last && want === null; o++)
              if (!reserved.has(o) && !unavailable.has(o)) want = o;
            if (want !== null) break;
          }
          expect(lowestFreeOffset(layout, indices, reserved, unavailable)).toBe(want);
        },
      ),
    );
  });
  it("is fast in a huge IPv6 block with a huge reserved range", () => {
    const plan = planPool({
      cidr: "2001:db8::/64",
      gateway: "2001:db8::1",
      blockSize: 2 ** 30,
      reserved: [{ first: "2001:db8::", last: "2001:db8::fff:ffff" }],
    });
    expect(lowestFreeOffset(plan.layout, [0n], plan.reserved, new Set([0x10000000n]))).toBe(0x10000001n);
  });
});

describe("pool plans: reserved addresses", () => {
  it("IPv4 /24: network, broadcast and gateway reserved; 253 usable", () => {
    const plan = planPool({ cidr: "10.10.103.0/24", gateway: "10.10.103.254", blockSize: 16, reserved: [] });
    expect(plan.usable).toBe(253n);
    expect(lowestFreeOffset(plan.layout, [0n], plan.reserved, new Set())).toBe(1n);
    const taken = new Set([240n, 241n, 242n, 243n, 244n, 245n, 246n, 247n, 248n, 249n, 250n, 251n, 252n]);
    expect(lowestFreeOffset(plan.layout, [15n], plan.reserved, taken)).toBe(253n);
    expect(
      lowestFreeOffset(
        plan.layout,
        [15n],
        plan.reserved,
        new Set([240n, 241n, 242n, 243n, 244n, 245n, 246n, 247n, 248n, 249n, 250n, 251n, 252n, 253n]),
      ),
    ).toBeNull();
  });
  it("/31 and /32 and /127 and /128 keep every address usable", () => {
    expect(planPool({ cidr: "10.0.0.0/31", gateway: null, blockSize: 16, reserved: [] }).usable).toBe(2n);
    expect(planPool({ cidr: "10.0.0.9/32", gateway: null, blockSize: 1, reserved: [] }).usable).toBe(1n);
    expect(planPool({ cidr: "2001:db8::/127", gateway: null, blockSize: 16, reserved: [] }).usable).toBe(2n);
    expect(planPool({ cidr: "2001:db8::/128", gateway: null, blockSize: 16, reserved: [] }).usable).toBe(1n);
    expect(planPool({ cidr: "10.0.0.0/30", gateway: null, blockSize: 16, reserved: [] }).usable).toBe(2n);
    expect(planPool({ cidr: "2001:db8::/126", gateway: null, blockSize: 16, reserved: [] }).usable).toBe(3n);
    expect(
      planPool({ cidr: "2001:db8::/64", gateway: null, blockSize: 16, reserved: [] }).reserved.has(0n),
    ).toBe(true);
  });
  it("claimable blocks skip claimed and fully reserved blocks", () => {
    const plan = planPool({
      cidr: "10.0.0.0/26",
      gateway: "10.0.0.1",
      blockSize: 16,
      reserved: [{ first: "10.0.0.16", last: "10.0.0.31" }],
    });
    expect([...claimableBlocks(plan.layout, [0n], plan.reserved)]).toEqual([2n, 3n]);
  });
  it("refuses gateways and ranges outside the subnet, bad block sizes", () => {
    expect(() => planPool({ cidr: "10.0.0.0/24", gateway: "10.0.1.1", blockSize: 16, reserved: [] })).toThrow(
      /outside/,
    );
    expect(() =>
      planPool({
        cidr: "10.0.0.0/24",
        gateway: null,
        blockSize: 16,
        reserved: [{ first: "10.0.0.9", last: "10.0.0.2" }],
      }),
    ).toThrow(/start before/);
    expect(() => planPool({ cidr: "10.0.0.0/24", gateway: null, blockSize: 10, reserved: [] })).toThrow(
      /power of two/,
    );
  });
});
