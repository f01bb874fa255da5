import { describe, expect, it } from "vitest";
import { everyPage, PAGE_LIMIT_DEFAULT, PAGE_LIMIT_MAX, pageQuerySchema } from "../src/paging";

describe("pageQuerySchema", () => {
  it("defaults the limit, bounds it and takes only cursor-shaped text", () => {
    expect(pageQuerySchema.parse({})).toEqual({ limit: PAGE_LIMIT_DEFAULT });
    expect(pageQuerySchema.parse({ limit: "1000", cursor: "WyJhIl0" })).toEqual({
      limit: 1000,
      cursor: "WyJhIl0",
    });
    for (const bad of [
      { limit: "0" },
      { limit: "1001" },
      { limit: "2.5" },
      { cursor: "a b" },
      { cursor: "" },
      { page: "2" },
    ]) {
      expect(pageQuerySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("everyPage", () => {
  /** A list of `n` rows served like the server does: `limit` rows after the cursor (an index here). */
  const server = (n: number) => {
    const asked: { limit: number; cursor?: string }[] = [];
    const fetchPage = async (query: { limit: number; cursor?: string }) => {
      asked.push(query);
      const from = query.cursor === undefined ? 0 : Number(query.cursor);
      const rows = [...Array(Math.max(0, Math.min(query.limit, n - from))).keys()].map((i) => from + i);
      return { rows, nextCursor: from + rows.length < n ? String(from + rows.length) : null };
    };
    return { asked, fetchPage };
  };

  it("follows nextCursor until it is null, a full page at a time", async () => {
    const s = server(2 * PAGE_LIMIT_MAX + 7);
    const rows = await everyPage(s.fetchPage, (p) => p.rows);
    expect(rows).toEqual([...Array(2 * PAGE_LIMIT_MAX + 7).keys()]);
    expect(s.asked).toEqual([
      { limit: PAGE_LIMIT_MAX },
      { limit: PAGE_LIMIT_MAX, cursor: String(PAGE_LIMIT_MAX) },
      { limit: PAGE_LIMIT_MAX, cursor: String(2 * PAGE_LIMIT_MAX) },
    ]);
    expect(await everyPage(server(0).fetchPage, (p) => p.rows)).toEqual([]);
  });

  it("stops with an error when the server repeats its cursor", async () => {
    const stuck = async () => ({ rows: [1], nextCursor: "same" });
    await expect(everyPage(stuck, (p) => p.rows)).rejects.toThrow(/same page cursor/);
  });
});
