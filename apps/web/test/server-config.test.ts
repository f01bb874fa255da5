import { describe, expect, it } from "vitest";
import { type Method, Router } from "../src/server/api/router";
import { ConfigError, loadConfig } from "../src/server/config";

describe("config", () => {
  it("has documented defaults", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 3000,
      host: "0.0.0.0",
      databaseUrl: null,
      logLevel: "info",
      adminEmail: "admin@switchyard.local",
      adminPassword: null,
      heartbeatIntervalMs: 5000,
      offlineAfterMs: 15000,
      enrollmentTtlMs: 24 * 3_600_000,
      sessionTtlMs: 7 * 86_400_000,
      cookieSecure: false,
      serveUi: true,
      localAgent: true,
      nextDev: true,
      socketAdapter: "postgres",
    });
    expect(c.webDir).toMatch(/\/apps\/web$/);
    expect(c.dataDir).toBe(c.webDir.replace(/apps\/web$/, ".data"));
    expect(loadConfig({ SWITCHYARD_DATA_DIR: "/var/lib/yard" }).dataDir).toBe("/var/lib/yard");
  });

  it("parses values and names the variable at fault", () => {
    const c = loadConfig({
      PORT: "8080",
      ENROLLMENT_TTL: "30m",
      SESSION_TTL: "3600",
      PUBLIC_URL: "https://yard.example.com",
      SWITCHYARD_UI: "false",
      NODE_ENV: "production",
      DATABASE_URL: "",
    });
    expect(c).toMatchObject({
      port: 8080,
      enrollmentTtlMs: 1_800_000,
      sessionTtlMs: 3_600_000,
      cookieSecure: true,
      serveUi: false,
      nextDev: false,
      databaseUrl: null,
    });
    expect(() => loadConfig({ PORT: "http" })).toThrow(ConfigError);
    expect(() => loadConfig({ PORT: "http" })).toThrow(/PORT/);
    expect(() => loadConfig({ ENROLLMENT_TTL: "soon" })).toThrow(/ENROLLMENT_TTL/);
    expect(() => loadConfig({ LOG_LEVEL: "loud" })).toThrow(/LOG_LEVEL/);
  });
});

describe("router", () => {
  const ok = async () => new Response("ok");
  const route = (method: Method, path: string, handler: typeof ok) => ({ method, path, handler });
  const router = new Router([
    route("GET", "/api/v1/hosts", ok),
    route("GET", "/api/v1/hosts/:id", ok),
    route("POST", "/api/v1/hosts/:id/revoke", ok),
    route("GET", "/api/v1/hosts/special", ok),
  ]);

  it("matches literals before parameters and decodes parameters", () => {
    const m = router.match("GET", "/api/v1/hosts/special");
    expect(m.kind === "found" && m.route.path).toBe("/api/v1/hosts/special");
    const p = router.match("GET", "/api/v1/hosts/a%20b");
    expect(p.kind === "found" && p.params).toEqual({ id: "a b" });
  });

  it("tells 404 from 405", () => {
    expect(router.match("GET", "/api/v1/nope").kind).toBe("not_found");
    expect(router.match("DELETE", "/api/v1/hosts")).toEqual({ kind: "method_not_allowed", allowed: ["GET"] });
  });

  it("refuses duplicate routes", () => {
    expect(() => new Router([route("GET", "/a/:x", ok), route("GET", "/a/:y", ok)])).toThrow(/duplicate/);
  });
});
