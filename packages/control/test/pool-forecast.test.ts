import { describe, expect, it } from "vitest";
import {
  alertStep,
  type HostBlocks,
  historyWindow,
  type OutlookInput,
  poolOutlook,
  rateWindowMs,
  runsOutAt,
  usageSeries,
} from "../src/ipam/forecast";

const H = 3_600_000;
const D = 24 * H;
const now = new Date("2026-12-02T12:00:00.000Z");
const ago = (ms: number) => new Date(now.getTime() - ms);

const host = (name: string, over: Partial<HostBlocks> = {}): HostBlocks => ({
  hostId: `id-${name}`,
  hostName: name,
  blocks: 1,
  capacity: 16,
  held: 0,
  netInWindow: 0,
  ...over,
});

/** A /22 in blocks of 16: 1,022 usable addresses, 64 blocks. */
const input = (over: Partial<OutlookInput> = {}): OutlookInput => ({
  now,
  createdAt: ago(30 * D),
  horizonMs: D,
  allowBorrow: false,
  free: 1022n,
  blocksFree: 64n,
  netInWindow: 0,
  blocksClaimedInWindow: 0,
  hosts: [],
  ...over,
});

describe("historyWindow", () => {
  it("spans 7 days in hourly buckets for an old pool, ending now", () => {
    const w = historyWindow(ago(30 * D), now);
    expect(w).toEqual({ start: ago(7 * D), bucketMs: H, buckets: 168 });
  });

  it("spans a young pool's life in the smallest bucket giving at most 168 points", () => {
    expect(historyWindow(ago(2 * H), now)).toMatchObject({ bucketMs: 60_000, buckets: 120 });
    expect(historyWindow(ago(10 * H), now)).toMatchObject({ bucketMs: 300_000, buckets: 120 });
    expect(historyWindow(ago(D), now)).toMatchObject({ bucketMs: 900_000, buckets: 96 });
    expect(historyWindow(ago(3 * D), now)).toMatchObject({ bucketMs: H, buckets: 72 });
    // A pool created a second ago (or with a clock ahead) still has one bucket.
    expect(historyWindow(ago(1_000), now)).toMatchObject({ bucketMs: 60_000, buckets: 1 });
    expect(historyWindow(new Date(now.getTime() + H), now)).toMatchObject({ buckets: 1 });
  });
});

describe("usageSeries", () => {
  it("accumulates allocations minus releases from the held count at the start", () => {
    const w = { start: ago(4 * H), bucketMs: H, buckets: 4 };
    const points = usageSeries(w, 10, [
      { index: 0, allocated: 5, released: 0 },
      { index: 2, allocated: 3, released: 6 },
      { index: 9, allocated: 100, released: 0 }, // outside the window: ignored
    ]);
    expect(points).toEqual([
      { at: ago(4 * H).toISOString(), held: 10 },
      { at: ago(3 * H).toISOString(), held: 15 },
      { at: ago(2 * H).toISOString(), held: 15 },
      { at: ago(H).toISOString(), held: 12 },
      { at: now.toISOString(), held: 12 },
    ]);
  });
});

describe("rates and run-out times", () => {
  it("takes the last 24 h, or the life of a younger pool", () => {
    expect(rateWindowMs(ago(30 * D), now)).toBe(D);
    expect(rateWindowMs(ago(6 * H), now)).toBe(6 * H);
    expect(rateWindowMs(ago(1), now)).toBe(60_000);
  });

  it("runs out now when nothing is free, never when not growing or past a century", () => {
    expect(runsOutAt(now, 0n, 0)).toEqual(now);
    expect(runsOutAt(now, 10n, 0)).toBeNull();
    expect(runsOutAt(now, 10n, -3)).toBeNull();
    expect(runsOutAt(now, 10n, 2)).toEqual(new Date(now.getTime() + 5 * H));
    expect(runsOutAt(now, 2n ** 64n, 1000)).toBeNull();
  });
});

describe("poolOutlook", () => {
  it("forecasts a growing pool's free addresses at its net rate over 24 h", () => {
    // 48 net over 24 h = +2/h; 100 free: 50 h.
    const o = poolOutlook(input({ free: 100n, netInWindow: 48 }));
    expect(o.ratePerHour).toBe(2);
    expect(o.rateWindowSeconds).toBe(86_400);
    expect(o.exhaustsAt).toBe(new Date(now.getTime() + 50 * H).toISOString());
    expect(o.failsAt).toBe(o.exhaustsAt);
    expect(o.failsBecause).toBe("addresses");
  });

  it("forecasts nothing for a pool that is not growing", () => {
    const o = poolOutlook(input({ free: 100n, netInWindow: -5 }));
    expect(o.ratePerHour).toBeCloseTo(-0.21, 2);
    expect(o.exhaustsAt).toBeNull();
    expect(o.failsAt).toBeNull();
    expect(o.failsBecause).toBeNull();
  });

  it("uses a young pool's life as the window: 12 in its first 3 h is +4/h", () => {
    const o = poolOutlook(input({ createdAt: ago(3 * H), free: 40n, netInWindow: 12 }));
    expect(o.ratePerHour).toBe(4);
    expect(o.rateWindowSeconds).toBe(3 * 3600);
    expect(o.exhaustsAt).toBe(new Date(now.getTime() + 10 * H).toISOString());
  });

  it("runs out of blocks before addresses when hosts claim blocks faster than they fill them", () => {
    // 4 free blocks, 12 claimed in 24 h (+0.5/h): 8 h; addresses: 600 free at +5/h: 120 h.
    const o = poolOutlook(input({ free: 600n, blocksFree: 4n, netInWindow: 120, blocksClaimedInWindow: 12 }));
    expect(o.blockRatePerHour).toBe(0.5);
    expect(o.blocksExhaustAt).toBe(new Date(now.getTime() + 8 * H).toISOString());
    expect(o.failsBecause).toBe("blocks");
    expect(o.failsAt).toBe(o.blocksExhaustAt);
    expect(o.hostsWithoutFreeBlock).toEqual([]);
  });

  it("lists the hosts without a free block: full now first, then filling within the horizon", () => {
    // A /22 of 64 blocks, every one claimed; 300 addresses free in part-empty blocks.
    const hosts = [
      host("a-full", { blocks: 2, capacity: 32, held: 32, netInWindow: 10 }),
      host("b-filling", { blocks: 1, capacity: 16, held: 10, netInWindow: 12 }), // 6 left at +0.5/h: 12 h
      host("c-slow", { blocks: 1, capacity: 16, held: 10, netInWindow: 2 }), // 6 left at +0.08/h: 72 h
      host("d-idle", { blocks: 60, capacity: 960, held: 600, netInWindow: 0 }),
    ];
    const o = poolOutlook(input({ free: 300n, blocksFree: 0n, netInWindow: 24, hosts }));
    expect(o.hostsWithoutFreeBlock.map((h) => h.hostName)).toEqual(["a-full", "b-filling"]);
    expect(o.hostsWithoutFreeBlock[0]?.fullAt).toBe(now.toISOString());
    expect(o.hostsWithoutFreeBlock[1]?.fullAt).toBe(new Date(now.getTime() + 12 * H).toISOString());
    expect(o.failsBecause).toBe("hosts");
    expect(o.failsAt).toBe(now.toISOString());
    expect(o.hosts.map((h) => h.hostName)).toEqual(["a-full", "b-filling", "c-slow", "d-idle"]);
    // Addresses alone would last 300 h at +1/h.
    expect(o.exhaustsAt).toBe(new Date(now.getTime() + 300 * H).toISOString());
  });

  it("with borrowing, only the addresses count (a full host borrows another's free address)", () => {
    const hosts = [host("a-full", { held: 16, netInWindow: 4 })];
    const o = poolOutlook(input({ allowBorrow: true, free: 300n, blocksFree: 0n, netInWindow: 24, hosts }));
    expect(o.hostsWithoutFreeBlock.map((h) => h.hostName)).toEqual(["a-full"]);
    expect(o.failsBecause).toBe("addresses");
    expect(o.failsAt).toBe(o.exhaustsAt);
  });

  it("says a full pool fails now", () => {
    const o = poolOutlook(input({ free: 0n, blocksFree: 0n }));
    expect(o.exhaustsAt).toBe(now.toISOString());
    expect(o.failsAt).toBe(now.toISOString());
    expect(o.failsBecause).toBe("addresses");
  });

  it("keeps an IPv6 /64 out of the forecast", () => {
    const o = poolOutlook(input({ free: 2n ** 64n, blocksFree: 2n ** 60n, netInWindow: 10_000 }));
    expect(o.exhaustsAt).toBeNull();
    expect(o.failsAt).toBeNull();
  });
});

describe("alertStep", () => {
  const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
  it("raises within the horizon and resolves only past twice the horizon", () => {
    expect(alertStep(at(23 * H), now, D, false)).toBe("raise");
    expect(alertStep(at(25 * H), now, D, false)).toBe("none");
    expect(alertStep(null, now, D, false)).toBe("none");
    expect(alertStep(at(25 * H), now, D, true)).toBe("keep");
    expect(alertStep(at(47 * H), now, D, true)).toBe("keep");
    expect(alertStep(at(49 * H), now, D, true)).toBe("resolve");
    expect(alertStep(null, now, D, true)).toBe("resolve");
  });
});
