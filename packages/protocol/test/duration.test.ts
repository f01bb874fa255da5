import { describe, expect, it } from "vitest";
import { parseDuration } from "../src/duration";

describe("parseDuration", () => {
  it.each([
    ["500ms", 500],
    ["2s", 2000],
    ["2", 2000],
    ["1.5s", 1500],
    ["1.5m", 90_000],
    ["1h", 3_600_000],
    ["7d", 604_800_000],
    ["2w", 1_209_600_000],
    [" 30S ", 30_000],
  ])("%s is %i ms", (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(["x", "-1s", "2 days", "", "1y"])("%j is not a duration", (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});
