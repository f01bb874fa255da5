import { describe, expect, it } from "vitest";
import { fakeFetch, invoke, json } from "./helpers";

const repaired = {
  id: "e1",
  at: "2026-11-27T21:59:00Z",
  kind: "repaired",
  hostName: "h2",
  attachmentId: "a1",
  serial: 7,
  message: "veth sy12345678h missing, recreated",
};

describe("events", () => {
  it("ls asks for one host's events and prints them as a table", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { events: [repaired] }));
    const result = await invoke(["events", "ls", "--host", "h2"], { fetch });
    expect(calls[0]).toMatchObject({ method: "GET", path: "/api/v1/events", search: "?host=h2" });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("h2");
    expect(result.stdout).toContain("repaired");
    expect(result.stdout).toContain("veth sy12345678h missing, recreated");
  });

  it("a bad --limit is a usage error (exit 2) and sends nothing", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { events: [] }));
    const result = await invoke(["events", "ls", "--limit", "many"], { fetch });
    expect(result.code).toBe(2);
    expect(calls).toHaveLength(0);
  });
});
