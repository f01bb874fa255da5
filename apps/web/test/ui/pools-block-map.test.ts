import { describe, expect, it } from "vitest";
import {
  blockColumns,
  buildBlockMap,
  FREE_BLOCK_COLOR,
  hostColorMap,
  usagePercent,
} from "../../src/ui/pools/block-map";
import { block, poolDetail } from "./networks-fixtures";

describe("pool block map", () => {
  it("draws every block of a small pool in index order, free ones included", () => {
    const pool = poolDetail([block(3, "host2", 4), block(0, "host1", 16), block(1, "host1", 2)], "16");
    const map = buildBlockMap(pool);
    expect(map.complete).toBe(true);
    expect(map.cells).toHaveLength(16);
    expect(map.cells.map((c) => c.hostName ?? "-").slice(0, 5)).toEqual([
      "host1",
      "host1",
      "-",
      "host2",
      "-",
    ]);
    const full = map.cells[0];
    expect(full).toMatchObject({
      index: "0",
      claimed: true,
      allocated: 16,
      fill: 1,
      first: "10.0.0.0",
      last: "10.0.0.15",
    });
    expect(map.cells[1]?.fill).toBeCloseTo(2 / 16);
    expect(map.cells[2]).toMatchObject({ claimed: false, color: FREE_BLOCK_COLOR, fill: 0, allocated: 0 });
    expect(map.cells[2]?.title).toBe("block 2 · free");
  });

  it("gives each host one colour, in host-name order, and a legend with its counts", () => {
    const pool = poolDetail([block(0, "zeta", 1), block(1, "alpha", 3), block(2, "alpha", 1)], "16");
    const map = buildBlockMap(pool);
    const alpha = map.cells.filter((c) => c.hostName === "alpha").map((c) => c.color);
    expect(new Set(alpha).size).toBe(1);
    expect(alpha[0]).not.toBe(map.cells[0]?.color);
    expect(map.legend.map((l) => [l.hostName, l.blocks, l.allocated, l.capacity])).toEqual([
      ["alpha", 2, 4, 32],
      ["zeta", 1, 1, 16],
    ]);
    const colors = hostColorMap(pool.blocks);
    expect(colors.get("hid-alpha")).toBe(alpha[0]);
  });

  it("says how full a block is and who holds it in its tooltip", () => {
    const pool = poolDetail([block(1, "host1", 3, { coolingDown: 2, emptySince: null })], "4");
    const title = buildBlockMap(pool).cells[1]?.title;
    expect(title).toBe("10.0.0.16 – 10.0.0.31 · host1 · 3/16 used · 2 cooling down");
  });

  it("shows only the claimed blocks of a pool too large to draw (IPv6)", () => {
    const pool = poolDetail([block(7, "host1", 1), block(2, "host2", 1)], "4722366482869645213696");
    const map = buildBlockMap(pool);
    expect(map.complete).toBe(false);
    expect(map.cells.map((c) => c.index)).toEqual(["2", "7"]);
    const capped = buildBlockMap(
      poolDetail([block(1, "h", 1), block(2, "h", 1), block(3, "h", 1)], "100"),
      2,
    );
    expect(capped.cells.map((c) => c.index)).toEqual(["1", "2"]);
    expect(capped.hiddenClaimed).toBe(1);
  });

  it("picks a squarish number of columns and computes usage from decimal strings", () => {
    expect(blockColumns(4)).toBe(4);
    expect(blockColumns(16)).toBe(16);
    expect(blockColumns(256)).toBe(16);
    expect(blockColumns(4096)).toBe(64);
    expect(usagePercent(25, "253")).toBe(9.8);
    expect(usagePercent(1, "0")).toBe(0);
    expect(usagePercent(1000, "18446744073709551616")).toBe(0);
  });
});
