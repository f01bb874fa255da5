import type { PoolOutlook } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import {
  addressForecastText,
  alertText,
  blockForecastText,
  formatSpan,
  seriesPaths,
} from "../../src/ui/pools/forecast-text";

const H = 3_600_000;
const now = Date.parse("2026-12-02T12:00:00.000Z");
const inHours = (h: number) => new Date(now + h * H).toISOString();

const outlook = (over: Partial<PoolOutlook> = {}): PoolOutlook => ({
  computedAt: new Date(now).toISOString(),
  rateWindowSeconds: 86_400,
  ratePerHour: 0,
  exhaustsAt: null,
  blockRatePerHour: 0,
  blocksExhaustAt: null,
  hostsWithoutFreeBlock: [],
  failsAt: null,
  failsBecause: null,
  ...over,
});

describe("pool forecast text", () => {
  it("says when a growing pool runs out, at which rate, over which window", () => {
    expect(addressForecastText(outlook({ ratePerHour: 2.5, exhaustsAt: inHours(52) }), "130", now)).toBe(
      "At the last 24 h's rate (+2.5/h) this pool runs out of addresses on 2026-12-04 16:00 UTC (in 2 d 4 h).",
    );
    expect(
      addressForecastText(
        outlook({ rateWindowSeconds: 10 * 3600, ratePerHour: 4, exhaustsAt: inHours(10) }),
        "40",
        now,
      ),
    ).toBe(
      "At the last 10 h's rate (+4/h) this pool runs out of addresses on 2026-12-02 22:00 UTC (in 10 h).",
    );
    expect(addressForecastText(outlook({ ratePerHour: -1.5 }), "500", now)).toBe(
      "Not growing at the last 24 h's rate (−1.5/h): no exhaustion forecast.",
    );
    expect(addressForecastText(outlook({ exhaustsAt: inHours(0) }), "0", now)).toMatch(/^No free address/);
  });

  it("describes the blocks and what happens once none is free", () => {
    expect(
      blockForecastText(
        outlook({ blockRatePerHour: 0.5, blocksExhaustAt: inHours(8) }),
        "4",
        "64",
        false,
        now,
      ),
    ).toBe(
      "4 of 64 blocks free; at +0.5 blocks/h the last is claimed on 2026-12-02 20:00 UTC (in 8 h), then a new host, or one whose blocks are full, gets no address (borrowing is off).",
    );
    expect(blockForecastText(outlook(), "0", "64", true, now)).toBe(
      "All 64 blocks are claimed: then hosts borrow free addresses from other hosts' blocks.",
    );
  });

  it("words the alert banner", () => {
    // A forecast's "now" is the server's, a little ahead of the page's clock.
    expect(alertText(new Date(now + 800).toISOString(), "hosts", now)).toMatch(/allocations fail now/);
    expect(alertText(inHours(-1), "hosts", now)).toBe(
      "Exhaustion forecast: allocations fail now: a host's blocks are full with no free block left.",
    );
    expect(alertText(inHours(6), "addresses", now)).toBe(
      "Exhaustion forecast: allocations fail on 2026-12-02 18:00 UTC (in 6 h): its free addresses run out.",
    );
  });

  it("formats spans compactly", () => {
    expect([formatSpan(59_000), formatSpan(90 * 60_000), formatSpan(2 * 24 * H), formatSpan(-5)]).toEqual([
      "1 min",
      "1 h 30 min",
      "2 d",
      "0 min",
    ]);
  });

  it("draws the series across the box, capped at the top", () => {
    const points = [
      { at: inHours(-2), held: 0 },
      { at: inHours(-1), held: 50 },
      { at: inHours(0), held: 200 },
    ];
    expect(seriesPaths(points, 100, 10, 100)).toEqual({
      line: "M0.0,10.0L50.0,5.0L100.0,0.0",
      area: "M0.0,10.0L50.0,5.0L100.0,0.0L100,10L0,10Z",
    });
    expect(seriesPaths([], 100, 10, 100)).toEqual({ line: "", area: "" });
  });
});

describe("pool exhaustion settings", () => {
  it("parses POOL_EXHAUSTION_HORIZON once, 24 h by default", async () => {
    const { loadConfig } = await import("../../src/server/config");
    expect(loadConfig({}).poolExhaustionHorizonMs).toBe(24 * H);
    expect(loadConfig({ POOL_EXHAUSTION_HORIZON: "3d" }).poolExhaustionHorizonMs).toBe(72 * H);
    expect(() => loadConfig({ POOL_EXHAUSTION_HORIZON: "soon" })).toThrow(/POOL_EXHAUSTION_HORIZON/);
  });
});
