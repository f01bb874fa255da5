import { describe, expect, it } from "vitest";
import { auditHref } from "../../src/ui/queries/audit";

describe("auditHref", () => {
  it("keeps the filters and the cursor in a fixed order and leaves empty ones out", () => {
    expect(auditHref({})).toBe("/audit");
    expect(auditHref({ cursor: "c1", host: "edge-1", kind: "attachment", actor: "" })).toBe(
      "/audit?kind=attachment&host=edge-1&cursor=c1",
    );
    expect(auditHref({ address: "10.0.0.5", from: "2026-12-01T00:00:00Z" })).toBe(
      "/audit?address=10.0.0.5&from=2026-12-01T00%3A00%3A00Z",
    );
  });
});
