import { createUser } from "@switchyard/control";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { PROTOCOL_VERSION } from "@switchyard/protocol";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiHandler, createApiHandler } from "../src/server/api/handler";
import { type HubPort, noopHub } from "../src/server/broadcast";

let db: TestDatabase;
let api: ApiHandler;
let clock = new Date("2026-03-01T12:00:00Z");
const HOUR = 3_600_000;
const hubCalls: string[] = [];
const hub: HubPort = {
  ...noopHub,
  hostChanged: (host) => hubCalls.push(`changed:${host.name}:${host.status}`),
  inventoryChanged: (hostId) => hubCalls.push(`inventory:${hostId}`),
  disconnectHost: (hostId) => hubCalls.push(`disconnect:${hostId}`),
  disconnectCredential: () => {},
};

interface Call {
  status: number;
  body: unknown;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; cookie?: string; token?: string } = {},
): Promise<Call> {
  const headers = new Headers();
  if (options.body !== undefined || options.rawBody !== undefined)
    headers.set("content-type", "application/json");
  if (options.cookie) headers.set("cookie", options.cookie);
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  const response = await api(
    new Request(`http://localhost${path}`, {
      method,
      headers,
      ...(options.rawBody !== undefined
        ? { body: options.rawBody }
        : options.body !== undefined
          ? { body: JSON.stringify(options.body) }
          : {}),
    }),
  );
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as unknown) : null,
    headers: response.headers,
  };
}

async function signIn(email: string, password: string): Promise<string> {
  const res = await call("POST", "/api/v1/auth/sign-in", { body: { email, password } });
  expect(res.status).toBe(200);
  const cookie = res.headers.getSetCookie()[0] ?? "";
  return cookie.split(";")[0] ?? "";
}

const counts = async () => ({
  hosts: await db.prisma.host.count(),
  tokens: await db.prisma.enrollmentToken.count(),
  audit: await db.prisma.auditEvent.count(),
});

let admin: string;
let viewer: string;

beforeAll(async () => {
  db = await createTestDatabase();
  api = createApiHandler({
    prisma: db.prisma,
    now: () => clock,
    logger: pino({ level: "silent" }),
    hub,
    version: "test",
    config: {
      sessionTtlMs: HOUR,
      enrollmentTtlMs: HOUR,
      cookieSecure: false,
      validateResponses: true,
      publicUrl: null,
    },
  });
  const ctx = { prisma: db.prisma, now: () => clock };
  await createUser(ctx, { email: "admin@example.com", password: "admin-pw-1", role: "admin" });
  await createUser(ctx, { email: "viewer@example.com", password: "viewer-pw-1", role: "viewer" });
  admin = await signIn("admin@example.com", "admin-pw-1");
  viewer = await signIn("viewer@example.com", "viewer-pw-1");
});
afterAll(async () => {
  await db?.drop();
});

describe("health and routing", () => {
  it("reports database and version without auth", async () => {
    const res = await call("GET", "/api/v1/health");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "ok",
      version: "test",
      protocolVersion: PROTOCOL_VERSION,
      database: { ok: true },
    });
  });

  it("unknown route is a JSON 404, wrong method a 405", async () => {
    const res = await call("GET", "/api/v1/nope");
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: "not_found" } });
    const wrong = await call("PUT", "/api/v1/hosts");
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get("allow")).toContain("GET");
  });
});

describe("sign-in and sessions", () => {
  it("sets an httpOnly SameSite=Lax sy_session cookie and /me answers the user", async () => {
    const res = await call("POST", "/api/v1/auth/sign-in", {
      body: { email: "ADMIN@example.com", password: "admin-pw-1" },
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie()[0] ?? "";
    expect(cookie).toMatch(/^sy_session=sys_/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Lax");
    const me = await call("GET", "/api/v1/auth/me", { cookie: cookie.split(";")[0] });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: "admin@example.com", role: "admin" });
  });

  it("bad password is 401 with a clear message", async () => {
    const res = await call("POST", "/api/v1/auth/sign-in", {
      body: { email: "admin@example.com", password: "nope" },
    });
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: "unauthorized", message: "invalid email or password" } });
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it("missing password is 422 naming the field", async () => {
    const res = await call("POST", "/api/v1/auth/sign-in", { body: { email: "admin@example.com" } });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: { code: "validation_failed", field: "password" } });
  });

  it("malformed JSON is 400", async () => {
    const res = await call("POST", "/api/v1/auth/sign-in", { rawBody: "{not json" });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: { code: "bad_request" } });
  });

  it("every route but health and sign-in needs auth: 401", async () => {
    for (const [method, path] of [
      ["GET", "/api/v1/auth/me"],
      ["GET", "/api/v1/hosts"],
      ["POST", "/api/v1/hosts"],
      ["GET", "/api/v1/hosts/x"],
      ["POST", "/api/v1/hosts/x/revoke"],
      ["GET", "/api/v1/topology"],
      ["GET", "/api/v1/tokens"],
      ["POST", "/api/v1/tokens"],
      ["DELETE", "/api/v1/tokens/x"],
    ] as const) {
      const res = await call(method, path, method === "GET" ? {} : { body: {} });
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toMatchObject({ error: { code: "unauthorized" } });
    }
    expect((await call("GET", "/api/v1/hosts", { cookie: "sy_session=sys_forged" })).status).toBe(401);
    expect((await call("GET", "/api/v1/hosts", { token: "syt_forged" })).status).toBe(401);
  });

  it("refuses cookie-authenticated changes from another site (403), allows same-origin", async () => {
    const request = (headers: Record<string, string>) =>
      api(
        new Request("http://localhost/api/v1/tokens", {
          method: "POST",
          headers: { "content-type": "application/json", cookie: admin, host: "yard.example", ...headers },
          body: JSON.stringify({ name: "csrf" }),
        }),
      );
    const before = await db.prisma.apiToken.count();
    expect((await request({ origin: "https://evil.example" })).status).toBe(403);
    expect((await request({ "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect(await db.prisma.apiToken.count()).toBe(before);
    expect((await request({ origin: "http://yard.example", "sec-fetch-site": "same-origin" })).status).toBe(
      201,
    );
    const signIn = await api(
      new Request("http://localhost/api/v1/auth/sign-in", {
        method: "POST",
        headers: { "content-type": "application/json", origin: "https://evil.example", host: "yard.example" },
        body: JSON.stringify({ email: "admin@example.com", password: "admin-pw-1" }),
      }),
    );
    expect(signIn.status).toBe(403);
  });

  it("sign-out ends the session", async () => {
    const cookie = await signIn("admin@example.com", "admin-pw-1");
    const out = await call("POST", "/api/v1/auth/sign-out", { cookie });
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie()[0]).toContain("Max-Age=0");
    expect((await call("GET", "/api/v1/auth/me", { cookie })).status).toBe(401);
    expect(await db.prisma.auditEvent.count({ where: { action: "auth.sign_out" } })).toBe(1);
  });

  it("an expired session is 401", async () => {
    const cookie = await signIn("admin@example.com", "admin-pw-1");
    clock = new Date(clock.getTime() + HOUR + 1);
    expect((await call("GET", "/api/v1/auth/me", { cookie })).status).toBe(401);
    admin = await signIn("admin@example.com", "admin-pw-1");
    viewer = await signIn("viewer@example.com", "viewer-pw-1");
  });
});

describe("hosts", () => {
  it("create returns the host and a one-time enrollment token; audit records who", async () => {
    const res = await call("POST", "/api/v1/hosts", {
      cookie: admin,
      body: { name: "edge-1", description: "rack 4" },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      host: { name: "edge-1", description: "rack 4", status: "pending" },
      enrollment: { token: expect.stringMatching(/^sye_/) },
    });
    const audit = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "host.create" } });
    expect(audit).toMatchObject({ actorType: "user", actorName: "admin@example.com", targetType: "host" });
    expect(hubCalls).toContain("changed:edge-1:pending");
  });

  it("bad input is 422 naming the field, and nothing is written", async () => {
    const before = await counts();
    const cases: Array<[unknown, string]> = [
      [{}, "name"],
      [{ name: 42 }, "name"],
      [{ name: "bad name!" }, "name"],
      [{ name: "-leading-dash" }, "name"],
      [{ name: "x".repeat(64) }, "name"],
      [{ name: "ok", description: 7 }, "description"],
      [[], "body"],
    ];
    for (const [body, field] of cases) {
      const res = await call("POST", "/api/v1/hosts", { cookie: admin, body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body).toMatchObject({ error: { code: "validation_failed", field } });
    }
    expect(await counts()).toEqual(before);
  });

  it("a duplicate name is 409", async () => {
    const res = await call("POST", "/api/v1/hosts", { cookie: admin, body: { name: "edge-1" } });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: { code: "conflict", field: "name" } });
  });

  it("viewer reads but may not mutate: 403, nothing written", async () => {
    expect((await call("GET", "/api/v1/hosts", { cookie: viewer })).status).toBe(200);
    const before = await counts();
    const create = await call("POST", "/api/v1/hosts", { cookie: viewer, body: { name: "edge-9" } });
    expect(create.status).toBe(403);
    expect(create.body).toMatchObject({ error: { code: "forbidden" } });
    expect((await call("POST", "/api/v1/hosts/edge-1/revoke", { cookie: viewer })).status).toBe(403);
    expect(await counts()).toEqual(before);
  });

  it("lists, gets by id or name, 404 for unknown", async () => {
    const list = await call("GET", "/api/v1/hosts", { cookie: viewer });
    const hosts = (list.body as { hosts: Array<{ id: string; name: string }> }).hosts;
    expect(hosts.map((h) => h.name)).toEqual(["edge-1"]);
    const byName = await call("GET", "/api/v1/hosts/edge-1", { cookie: viewer });
    expect(byName.body).toMatchObject({ name: "edge-1", inventory: null, inventoryReceivedAt: null });
    const byId = await call("GET", `/api/v1/hosts/${hosts[0]?.id}`, { cookie: viewer });
    expect(byId.body).toMatchObject({ name: "edge-1" });
    const missing = await call("GET", "/api/v1/hosts/nope", { cookie: viewer });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: { code: "not_found", message: "host nope not found" } });
    expect((await call("POST", "/api/v1/hosts/nope/revoke", { cookie: admin })).status).toBe(404);
  });

  it("topology lists every host with its inventory", async () => {
    const res = await call("GET", "/api/v1/topology", { cookie: viewer });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      hosts: [{ name: "edge-1", inventory: null }],
      generatedAt: clock.toISOString(),
    });
  });
});

describe("agent enrollment over HTTP", () => {
  const enrollBody = (token: string, extra: Record<string, unknown> = {}) => ({
    token,
    protocolVersion: PROTOCOL_VERSION,
    agentVersion: "0.1.0",
    hostname: "edge-2.lab",
    ...extra,
  });

  it("enrolls once; reuse is 401 and changes nothing; revoke then disconnects", async () => {
    const created = await call("POST", "/api/v1/hosts", { cookie: admin, body: { name: "edge-2" } });
    const token = (created.body as { enrollment: { token: string } }).enrollment.token;
    const res = await call("POST", "/api/v1/agent/enroll", { body: enrollBody(token) });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ hostName: "edge-2", credential: expect.stringMatching(/^syh_/) });
    const before = { ...(await counts()), creds: await db.prisma.hostCredential.count() };
    const again = await call("POST", "/api/v1/agent/enroll", { body: enrollBody(token) });
    expect(again.status).toBe(401);
    expect(again.body).toMatchObject({
      error: { code: "unauthorized", field: "token", message: expect.stringContaining("already used") },
    });
    expect({ ...(await counts()), creds: await db.prisma.hostCredential.count() }).toEqual(before);

    const hostId = (res.body as { hostId: string }).hostId;
    const revoked = await call("POST", "/api/v1/hosts/edge-2/revoke", {
      cookie: admin,
      body: { reason: "stolen" },
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ name: "edge-2", status: "revoked" });
    expect(hubCalls).toContain(`disconnect:${hostId}`);
    expect((await call("POST", "/api/v1/hosts/edge-2/revoke", { cookie: admin })).status).toBe(409);
  });

  it("expired token is 401 and changes nothing", async () => {
    const created = await call("POST", "/api/v1/hosts", { cookie: admin, body: { name: "edge-3" } });
    const token = (created.body as { enrollment: { token: string } }).enrollment.token;
    clock = new Date(clock.getTime() + HOUR + 1);
    const before = await counts();
    const res = await call("POST", "/api/v1/agent/enroll", { body: enrollBody(token) });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({
      error: { code: "unauthorized", message: expect.stringContaining("expired") },
    });
    expect(await counts()).toEqual(before);
    admin = await signIn("admin@example.com", "admin-pw-1");
    viewer = await signIn("viewer@example.com", "viewer-pw-1");
  });

  it("wrong protocol version is 426 protocol_mismatch; bad body 422", async () => {
    const created = await call("POST", "/api/v1/hosts", { cookie: admin, body: { name: "edge-4" } });
    const token = (created.body as { enrollment: { token: string } }).enrollment.token;
    const before = await counts();
    const res = await call("POST", "/api/v1/agent/enroll", {
      body: enrollBody(token, { protocolVersion: 99 }),
    });
    expect(res.status).toBe(426);
    expect(res.body).toMatchObject({
      error: {
        code: "protocol_mismatch",
        field: "protocolVersion",
        details: { serverProtocolVersion: PROTOCOL_VERSION },
      },
    });
    const bad = await call("POST", "/api/v1/agent/enroll", {
      body: enrollBody(token, { protocolVersion: "1" }),
    });
    expect(bad.status).toBe(422);
    expect(bad.body).toMatchObject({ error: { field: "protocolVersion" } });
    expect(await counts()).toEqual(before);
    // The token still works afterwards.
    expect((await call("POST", "/api/v1/agent/enroll", { body: enrollBody(token) })).status).toBe(201);
  });

  it("issuing a new enrollment token invalidates the old unused one", async () => {
    const created = await call("POST", "/api/v1/hosts", { cookie: admin, body: { name: "edge-5" } });
    const old = (created.body as { enrollment: { token: string } }).enrollment.token;
    const fresh = await call("POST", "/api/v1/hosts/edge-5/enrollment-token", { cookie: admin });
    expect(fresh.status).toBe(201);
    const token = (fresh.body as { enrollment: { token: string } }).enrollment.token;
    expect((await call("POST", "/api/v1/agent/enroll", { body: enrollBody(old) })).status).toBe(401);
    expect((await call("POST", "/api/v1/agent/enroll", { body: enrollBody(token) })).status).toBe(201);
  });
});

describe("API tokens", () => {
  it("create, use as bearer, list, revoke, then refused", async () => {
    const created = await call("POST", "/api/v1/tokens", { cookie: viewer, body: { name: "laptop" } });
    expect(created.status).toBe(201);
    const token = (created.body as { token: string; id: string }).token;
    const id = (created.body as { id: string }).id;
    expect(token).toMatch(/^syt_/);

    const me = await call("GET", "/api/v1/auth/me", { token });
    expect(me.body).toMatchObject({ email: "viewer@example.com", role: "viewer" });
    expect((await call("GET", "/api/v1/hosts", { token })).status).toBe(200);
    // A token has its user's rights: a viewer's token cannot create hosts.
    expect((await call("POST", "/api/v1/hosts", { token, body: { name: "edge-7" } })).status).toBe(403);

    const list = await call("GET", "/api/v1/tokens", { token });
    expect(list.body).toMatchObject({ tokens: [{ id, name: "laptop", revokedAt: null }] });
    expect(JSON.stringify(list.body)).not.toContain(token);

    // An admin may revoke anyone's token.
    expect((await call("DELETE", `/api/v1/tokens/${id}`, { cookie: admin })).status).toBe(200);
    const again = await call("DELETE", `/api/v1/tokens/${id}`, { cookie: viewer });
    expect(again.status).toBe(409);
    const refused = await call("GET", "/api/v1/hosts", { token });
    expect(refused.status).toBe(401);
    expect(refused.body).toMatchObject({
      error: { code: "unauthorized", message: "API token is invalid, expired or revoked" },
    });
    expect((await call("POST", "/api/v1/tokens", { cookie: viewer, body: { name: "" } })).status).toBe(422);
  });

  it("a user cannot revoke someone else's token (404)", async () => {
    const created = await call("POST", "/api/v1/tokens", { cookie: admin, body: { name: "admin-ci" } });
    const id = (created.body as { id: string }).id;
    expect((await call("DELETE", `/api/v1/tokens/${id}`, { cookie: viewer })).status).toBe(404);
  });
});
