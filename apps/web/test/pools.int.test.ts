import { createUser } from "@switchyard/control";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ApiHandler, createApiHandler } from "../src/server/api/handler";
import { noopHub } from "../src/server/broadcast";

let db: TestDatabase;
let api: ApiHandler;
let admin = "";
let viewer = "";
const HOUR = 3_600_000;

async function call(method: string, path: string, cookie: string, body?: unknown) {
  const headers = new Headers({ cookie });
  if (body !== undefined) headers.set("content-type", "application/json");
  const res = await api(
    new Request(`http://localhost${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as Record<string, unknown> };
}

async function signIn(email: string, password: string): Promise<string> {
  const res = await api(
    new Request("http://localhost/api/v1/auth/sign-in", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email, password }),
    }),
  );
  return (res.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
}

beforeAll(async () => {
  db = await createTestDatabase();
  api = createApiHandler({
    prisma: db.prisma,
    now: () => new Date(),
    logger: pino({ level: "silent" }),
    hub: noopHub,
    version: "test",
    config: { sessionTtlMs: HOUR, enrollmentTtlMs: HOUR, cookieSecure: false, validateResponses: true },
  });
  const ctx = { prisma: db.prisma, now: () => new Date() };
  await createUser(ctx, { email: "admin@example.com", password: "admin-pw-1", role: "admin" });
  await createUser(ctx, { email: "viewer@example.com", password: "viewer-pw-1", role: "viewer" });
  admin = await signIn("admin@example.com", "admin-pw-1");
  viewer = await signIn("viewer@example.com", "viewer-pw-1");
});
afterAll(async () => {
  await db?.drop();
});

it("pools over REST: create, allocate, conflict, exhaust, show, release", async () => {
  const host = await db.prisma.host.create({ data: { name: "rest-h1" } });
  const other = await db.prisma.host.create({ data: { name: "rest-h2" } });

  expect((await call("POST", "/api/v1/pools", viewer, { name: "p", cidr: "10.10.103.0/28" })).status).toBe(
    403,
  );
  const bad = await call("POST", "/api/v1/pools", admin, {
    name: "p",
    cidr: "10.10.103.0/28",
    gateway: "10.10.104.1",
  });
  expect(bad.status).toBe(422);
  expect(bad.body).toMatchObject({ error: { code: "validation_failed", field: "gateway" } });

  const created = await call("POST", "/api/v1/pools", admin, {
    name: "p",
    cidr: "10.10.103.0/28",
    gateway: "10.10.103.14",
    blockSize: 8,
    cooldownSeconds: 0,
  });
  expect(created.status).toBe(201);
  const poolId = created.body.id as string;
  expect(created.body).toMatchObject({
    cidr: "10.10.103.0/28",
    family: 4,
    blockSize: 8,
    effectiveBlockSize: "8",
  });

  const a = await call("POST", `/api/v1/pools/${poolId}/allocations`, admin, {
    hostId: host.id,
    reason: "con1",
  });
  expect(a.status).toBe(201);
  expect(a.body).toMatchObject({
    address: "10.10.103.1",
    prefix: 28,
    gateway: "10.10.103.14",
    state: "active",
  });

  const clash = await call("POST", "/api/v1/pools/p/allocations", admin, {
    hostId: other.id,
    address: "10.10.103.1",
  });
  expect(clash.status).toBe(409);
  expect(clash.body).toMatchObject({
    error: { code: "conflict", field: "address", details: { hostName: "rest-h1" } },
  });

  // 12 usable addresses left in 2 blocks of 8 (.0 .14 .15 reserved): take them all, then 409 pool_exhausted.
  for (let i = 0; i < 12; i++) {
    const r = await call("POST", "/api/v1/pools/p/allocations", admin, {
      hostId: i % 2 ? host.id : other.id,
    });
    if (r.status !== 201) {
      expect(r.body).toMatchObject({ error: { code: "pool_exhausted" } });
      break;
    }
  }
  const full = await call("POST", "/api/v1/pools/p/allocations", admin, { hostId: host.id });
  expect(full.status).toBe(409);
  expect(full.body).toMatchObject({
    error: { code: "pool_exhausted", details: { blocksTotal: "2", blocksClaimed: 2 } },
  });

  const shown = await call("GET", "/api/v1/pools/p", viewer);
  expect(shown.status).toBe(200);
  expect(shown.body.blocks).toHaveLength(2);
  expect(shown.body.usage).toMatchObject({ size: "16", usable: "13", blocksClaimed: 2 });
  const listed = await call("GET", "/api/v1/pools", viewer);
  expect((listed.body.pools as unknown[]).length).toBe(1);
  const held = await call("GET", `/api/v1/pools/p/allocations?hostId=${host.id}`, viewer);
  expect((held.body.allocations as { address: string }[]).map((x) => x.address)).toContain("10.10.103.1");

  const noReason = await call("DELETE", "/api/v1/pools/p/allocations/10.10.103.1", admin);
  expect(noReason.status).toBe(422);
  expect(noReason.body).toMatchObject({ error: { field: "reason" } });
  const released = await call("DELETE", "/api/v1/pools/p/allocations/10.10.103.1", admin, { reason: "leak" });
  expect(released.status).toBe(200);
  expect(released.body).toMatchObject({ releaseReason: "leak", releasedBy: "admin@example.com" });
  const twice = await call("DELETE", "/api/v1/pools/p/allocations/10.10.103.1?reason=again", admin);
  expect(twice.status).toBe(409);
  const unknown = await call("DELETE", "/api/v1/pools/p/allocations/10.10.103.0?reason=x", admin);
  expect(unknown.status).toBe(404);
  expect((await call("GET", "/api/v1/pools/nope", viewer)).status).toBe(404);
});
