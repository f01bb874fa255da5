import { describe, expect, it } from "vitest";
import { formatAge, renderFields, renderTable, shellQuote } from "../src/format";

describe("renderTable", () => {
  it("aligns columns two spaces apart without trailing spaces", () => {
    const out = renderTable(
      ["NAME", "STATUS", "NOTE"],
      [
        ["web-1", "online", ""],
        ["database-01", "offline", "x"],
      ],
    );
    expect(out).toBe(
      ["NAME         STATUS   NOTE", "web-1        online", "database-01  offline  x", ""].join("\n"),
    );
  });

  it("renders only the header for no rows and counts characters, not bytes", () => {
    expect(renderTable(["A", "B"], [])).toBe("A  B\n");
    expect(renderTable(["N", "X"], [["héllo", "1"]])).toBe("N      X\nhéllo  1\n");
  });
});

describe("renderFields", () => {
  it("aligns values and prints a dash for missing ones", () => {
    expect(
      renderFields([
        ["Name", "web-1"],
        ["Description", null],
      ]),
    ).toBe("Name:         web-1\nDescription:  -\n");
  });
});

describe("formatAge", () => {
  const now = new Date("2026-11-27T12:00:00Z");
  it.each([
    [null, "-"],
    ["2026-11-27T11:59:55Z", "5s ago"],
    ["2026-11-27T11:55:00Z", "5m ago"],
    ["2026-11-27T09:00:00Z", "3h ago"],
    ["2026-11-25T12:00:00Z", "2d ago"],
    ["2026-11-27T12:00:09Z", "just now"],
  ])("%s -> %s", (iso, expected) => {
    expect(formatAge(iso, now)).toBe(expected);
  });
});

describe("shellQuote", () => {
  it("leaves safe words alone and quotes the rest", () => {
    expect(shellQuote("http://h:3000")).toBe("http://h:3000");
    expect(shellQuote("syh_abc-DEF")).toBe("syh_abc-DEF");
    expect(shellQuote("a b'c")).toBe(`'a b'"'"'c'`);
  });
});
