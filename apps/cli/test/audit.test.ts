import { describe, expect, it } from "vitest";
import { fakeFetch, invoke, json } from "./helpers";

const event = {
  id: "e_1",
  at: "2026-11-27T21:59:00Z",
  actor: { type: "user", id: "u_1", name: "admin@example.com" },
  action: "attachment.attach",
  targetType: "attachment",
  targetId: "a_1",
  reason: null,
  details: { container: "docker:web1", address: "10.0.0.5" },
  hostId: "h_1",
  networkId: "n_1",
  address: "10.0.0.5",
};

describe("audit ls", () => {
  it("sends every filter, turns --since into a time, and prints the next page's cursor", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { events: [event], nextCursor: "abc_1" }));
    const result = await invoke(
      [
        "audit",
        "ls",
        "--actor",
        "admin@example.com",
        "--kind",
        "attachment",
        "--host",
        "web-1",
        "--network",
        "v100",
        "--address",
        "10.0.0.5",
        "--since",
        "2h",
        "--until",
        "2026-11-27T21:30:00Z",
        "--limit",
        "10",
      ],
      { fetch },
    );
    expect(result.code).toBe(0);
    const query = new URLSearchParams(calls[0]?.search);
    expect(calls[0]?.path).toBe("/api/v1/audit");
    expect(Object.fromEntries(query)).toEqual({
      actor: "admin@example.com",
      kind: "attachment",
      host: "web-1",
      network: "v100",
      address: "10.0.0.5",
      from: "2026-11-27T20:00:00.000Z",
      to: "2026-11-27T21:30:00.000Z",
      limit: "10",
    });
    expect(result.stdout).toContain("admin@example.com  attachment.attach  attachment docker:web1  10.0.0.5");
    expect(result.stderr).toBe("more: yardctl audit ls ... --cursor abc_1\n");
  });

  it("--json prints the page as the API answered", async () => {
    const { fetch } = fakeFetch(() => json(200, { events: [event], nextCursor: null }));
    expect(JSON.parse((await invoke(["audit", "ls", "--json"], { fetch })).stdout)).toEqual({
      events: [event],
      nextCursor: null,
    });
  });

  it("a bad --since is a usage error naming the flag", async () => {
    const result = await invoke(["audit", "ls", "--since", "yesterday"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--since");
  });
});
