import { describe, expect, it } from "vitest";
import { fakeFetch, invoke, json, loggedOut } from "./helpers";

const ok = { status: "ok", version: "0.1.0", protocolVersion: 1, database: { ok: true, latencyMs: 1.5 } };
const degraded = {
  ...ok,
  status: "degraded",
  database: { ok: false, latencyMs: null, error: "connection refused" },
};

describe("health", () => {
  it("needs no token and exits 0 when ok", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, ok));
    const result = await invoke(["health", "--url", "http://other:1/"], { config: loggedOut, fetch });
    expect(calls[0]).toMatchObject({ method: "GET", path: "/api/v1/health" });
    expect(calls[0]?.headers.get("authorization")).toBeNull();
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Server:    http://other:1\n");
    expect(result.stdout).toContain("Database:  ok (1.5 ms)\n");
  });

  it("exits 1 when the server answers 503 degraded, still printing the body", async () => {
    const { fetch } = fakeFetch(() => json(503, degraded));
    const result = await invoke(["health", "--json"], { fetch });
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({ ...degraded, protocolMinor: 0 });
  });

  it("without any URL says where to give one", async () => {
    const result = await invoke(["health"], { config: loggedOut });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: no server URL");
  });
});
