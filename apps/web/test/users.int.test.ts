// Issue 13 points 1, 2 and 6 through the REST edge of two real replicas on one PostgreSQL: users and
// roles (403 for viewer and operator, 422 naming the field, the last admin under concurrency, a
// disabled or deleted user's session and socket ended on the other replica), one-time passwords and
// invite links, the audit view, read-only and expired API tokens.
import { apiRoutes } from "@switchyard/protocol";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signInCookie, startTestPlanes, TEST_ADMIN_EMAIL, type TestPlanes } from "./support/test-plane";
import { disconnected, openUiSocket } from "./support/ui-socket";

let env: TestPlanes;
let a: string;
let b: string;
let admin: string;
const sockets: Socket[] = [];

beforeAll(async () => {
  env = await startTestPlanes(2, { UI_RECHECK_INTERVAL: "60s" });
  [a, b] = env.planes.map((p) => p.url) as [string, string];
  admin = await signInCookie(a);
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await env?.close();
});

interface Answer {
  status: number;
  body: {
    error?: { code: string; message: string; field?: string; details?: Record<string, unknown> };
  } & Record<string, unknown>;
  cookie: string;
}

async function call(
  base: string,
  method: string,
  path: string,
  auth: { cookie?: string; token?: string },
  body?: unknown,
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (auth.cookie) headers.cookie = auth.cookie;
  if (auth.token) headers.authorization = `Bearer ${auth.token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return {
    status: res.status,
    // /metrics answers Prometheus text, every other route JSON.
    body: text && res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : {},
    cookie: (res.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "",
  };
}

async function signIn(email: string, password: string): Promise<Answer> {
  return call(a, "POST", "/auth/sign-in", {}, { email, password });
}

/** A user made by the admin with a known password; returns its id and a session cookie. */
async function userWith(email: string, role: "admin" | "operator" | "viewer", password = "long-password-1") {
  const created = await call(a, "POST", "/users", { cookie: admin }, { email, role, password });
  expect(created.status).toBe(201);
  const session = await signIn(email, password);
  expect(session.status).toBe(200);
  return { id: (created.body.user as { id: string }).id, cookie: session.cookie };
}

describe("roles at the edge", () => {
  it("viewer and operator get 403 on every user route; a viewer on mutations; an operator may change hosts", async () => {
    const viewer = await userWith("viewer@example.com", "viewer");
    const operator = await userWith("operator@example.com", "operator");
    for (const who of [viewer, operator]) {
      for (const [method, path, body] of [
        ["GET", "/users", undefined],
        ["POST", "/users", { email: "x@example.com", role: "viewer" }],
        ["PATCH", `/users/${viewer.id}`, { role: "admin" }],
        ["DELETE", `/users/${viewer.id}`, undefined],
        ["POST", `/users/${viewer.id}/reset-password`, {}],
      ] as const) {
        const answer = await call(a, method, path, { cookie: who.cookie }, body);
        expect(answer.status, `${method} ${path}`).toBe(403);
        expect(answer.body.error?.message).toContain("admin role");
      }
    }
    expect((await call(a, "GET", "/hosts", { cookie: viewer.cookie })).status).toBe(200);
    expect((await call(a, "GET", "/audit", { cookie: viewer.cookie })).status).toBe(200);
    expect((await call(a, "POST", "/hosts", { cookie: viewer.cookie }, { name: "v-host" })).status).toBe(403);
    expect((await call(a, "POST", "/hosts", { cookie: operator.cookie }, { name: "op-host" })).status).toBe(
      201,
    );
  });

  it("every route of the contract table above a role's rank is a 403 for it, before anything is parsed", async () => {
    const viewer = await userWith("ranked-viewer@example.com", "viewer");
    const operator = await userWith("ranked-operator@example.com", "operator");
    const rank = { viewer: 0, operator: 1, admin: 2 } as const;
    let checked = 0;
    for (const route of Object.values(apiRoutes)) {
      if (route.access === "public") continue;
      const path = route.path.replace("/api/v1", "").replace(/:[A-Za-z]+/g, "x");
      const body = route.method === "GET" || route.method === "DELETE" ? undefined : {};
      for (const [who, cookie] of [
        ["viewer", viewer.cookie],
        ["operator", operator.cookie],
      ] as const) {
        const answer = await call(a, route.method, path, { cookie }, body);
        const refused = rank[route.access] > rank[who];
        expect(answer.status === 403, `${who} ${route.method} ${route.path}: ${answer.status}`).toBe(refused);
        if (refused) checked++;
      }
    }
    // Every mutation a viewer may not make and every admin route an operator may not call.
    expect(checked).toBeGreaterThan(20);
  });

  it("bad input is a 422 naming the field", async () => {
    for (const [method, path, body, field] of [
      ["POST", "/users", { email: "not-an-email", role: "viewer" }, "email"],
      ["POST", "/users", { email: "ok@example.com", role: "root" }, "role"],
      ["POST", "/users", { email: "ok@example.com", role: "viewer", password: "short" }, "password"],
      ["POST", "/users", { email: "ok@example.com", role: "viewer", extra: 1 }, "body"],
      ["PATCH", "/users/viewer@example.com", {}, "role"],
      ["PATCH", "/users/viewer@example.com", { disabled: "yes" }, "disabled"],
      ["POST", "/users/viewer@example.com/reset-password", { delivery: "sms" }, "delivery"],
      ["POST", "/auth/password", { currentPassword: "x", newPassword: "short" }, "newPassword"],
      ["POST", "/tokens", { name: "t", expiresAt: "tomorrow" }, "expiresAt"],
      ["POST", "/tokens", { name: "t", scope: "root" }, "scope"],
    ] as const) {
      const answer = await call(a, method, path, { cookie: admin }, body);
      expect(answer.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(422);
      expect(answer.body.error?.field).toBe(field);
    }
    for (const [query, field] of [
      ["kind=Not%20a%20kind", "query.kind"],
      ["from=yesterday", "query.from"],
      ["limit=0", "query.limit"],
      ["cursor=%24%24", "query.cursor"],
      ["from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", "query.from"],
    ] as const) {
      const answer = await call(a, "GET", `/audit?${query}`, { cookie: admin });
      expect(answer.status, query).toBe(422);
      expect(answer.body.error?.field).toBe(field);
    }
  });
});

describe("passwords", () => {
  it("a one-time password allows only its change; the change clears it", async () => {
    const created = await call(
      a,
      "POST",
      "/users",
      { cookie: admin },
      { email: "otp@example.com", role: "viewer" },
    );
    expect(created.status).toBe(201);
    const otp = created.body.oneTimePassword as string;
    const session = await signIn("otp@example.com", otp);
    expect(session.body.user).toMatchObject({ mustChangePassword: true });
    const blocked = await call(a, "GET", "/hosts", { cookie: session.cookie });
    expect(blocked.status).toBe(403);
    expect(blocked.body.error?.details).toMatchObject({ reason: "password_change_required" });
    expect((await call(a, "GET", "/auth/me", { cookie: session.cookie })).status).toBe(200);
    const changed = await call(
      a,
      "POST",
      "/auth/password",
      { cookie: session.cookie },
      { currentPassword: otp, newPassword: "my-own-password-1" },
    );
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ email: "otp@example.com", mustChangePassword: false });
    expect((await call(a, "GET", "/hosts", { cookie: session.cookie })).status).toBe(200);
  });

  it("an invite link signs in once", async () => {
    const created = await call(
      a,
      "POST",
      "/users",
      { cookie: admin },
      { email: "invited@example.com", role: "operator", delivery: "invite" },
    );
    const invite = created.body.invite as { token: string; url: string };
    expect(invite.url).toBe(`${a}/invite#${invite.token}`);
    const accepted = await call(
      b,
      "POST",
      "/auth/invite",
      {},
      { token: invite.token, password: "chosen-password-1" },
    );
    expect(accepted.status).toBe(200);
    expect((await call(b, "GET", "/auth/me", { cookie: accepted.cookie })).body).toMatchObject({
      email: "invited@example.com",
      role: "operator",
    });
    expect(
      (await call(b, "POST", "/auth/invite", {}, { token: invite.token, password: "again-password-1" }))
        .status,
    ).toBe(401);
    expect((await signIn("invited@example.com", "chosen-password-1")).status).toBe(200);
  });
});

describe("the last admin and ending sessions", () => {
  it("the only admin cannot be demoted, disabled or deleted", async () => {
    for (const [method, body] of [
      ["PATCH", { role: "viewer" }],
      ["PATCH", { disabled: true }],
      ["DELETE", undefined],
    ] as const) {
      const answer = await call(a, method, `/users/${TEST_ADMIN_EMAIL}`, { cookie: admin }, body);
      expect(answer.status).toBe(409);
      expect(answer.body.error?.message).toContain("last active admin");
    }
  });

  it("two admins demoting each other at once on two replicas: one passes, the other is refused", async () => {
    const second = await userWith("second-admin@example.com", "admin");
    const [one, two] = await Promise.all([
      call(a, "PATCH", `/users/${TEST_ADMIN_EMAIL}`, { cookie: second.cookie }, { role: "operator" }),
      call(b, "PATCH", `/users/${second.id}`, { cookie: admin }, { role: "operator" }),
    ]);
    // One passes. The other is refused by the last-admin lock (409), or, when the first demotion
    // committed before it was authenticated, as a caller who is no longer an admin (401: the
    // demotion ended that session). Never both 200.
    const statuses = [one.status, two.status].sort();
    expect(statuses[0]).toBe(200);
    expect([401, 409]).toContain(statuses[1]);
    const users = await env.db.prisma.user.count({ where: { role: "admin", disabledAt: null } });
    expect(users).toBe(1);
    // Whoever is left restores the first admin for the tests that follow.
    const left = one.status === 200 ? second.cookie : admin;
    if (one.status === 200) {
      const back = await call(a, "PATCH", `/users/${TEST_ADMIN_EMAIL}`, { cookie: left }, { role: "admin" });
      expect(back.status).toBe(200);
      admin = await signInCookie(a); // the demotion ended the first admin's sessions
    }
  });

  it("disabling a user ends its session and closes its socket on the other replica; deleting likewise", async () => {
    const user = await userWith("leaver@example.com", "operator");
    const socket = await openUiSocket(b, { cookie: user.cookie }, sockets);
    const closed = disconnected(socket);
    const disabled = await call(a, "PATCH", `/users/${user.id}`, { cookie: admin }, { disabled: true });
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabledAt).toEqual(expect.any(String));
    expect(await closed).toBe("io server disconnect");
    expect((await call(b, "GET", "/hosts", { cookie: user.cookie })).status).toBe(401);
    const again = await signIn("leaver@example.com", "long-password-1");
    expect(again.status).toBe(403);
    expect(again.body.error?.message).toContain("disabled");

    await call(a, "PATCH", `/users/${user.id}`, { cookie: admin }, { disabled: false });
    const back = await signIn("leaver@example.com", "long-password-1");
    expect(back.status).toBe(200);
    const next = await openUiSocket(b, { cookie: back.cookie }, sockets);
    const gone = disconnected(next);
    const roleChange = await call(a, "PATCH", `/users/${user.id}`, { cookie: admin }, { role: "viewer" });
    expect(roleChange.status).toBe(200);
    expect(await gone).toBe("io server disconnect");

    const last = await signIn("leaver@example.com", "long-password-1");
    const third = await openUiSocket(b, { cookie: last.cookie }, sockets);
    const deleted = disconnected(third);
    expect((await call(a, "DELETE", `/users/leaver@example.com`, { cookie: admin })).status).toBe(200);
    expect(await deleted).toBe("io server disconnect");
    expect((await call(a, "GET", `/users/${user.id}`, { cookie: admin })).status).toBe(404);
  });
});

describe("API tokens", () => {
  it("a read-only token may GET and is refused any other method, naming the scope", async () => {
    const created = await call(a, "POST", "/tokens", { cookie: admin }, { name: "ro", scope: "read_only" });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ scope: "read_only", expiresAt: null });
    const token = created.body.token as string;
    expect((await call(a, "GET", "/hosts", { token })).status).toBe(200);
    for (const [method, path, body] of [
      ["POST", "/hosts", { name: "ro-host" }],
      ["POST", "/tokens", { name: "escalate" }],
      ["DELETE", `/tokens/${created.body.id as string}`, undefined],
    ] as const) {
      const refused = await call(a, method, path, { token }, body);
      expect(refused.status).toBe(403);
      expect(refused.body.error?.message).toContain("read_only");
      expect(refused.body.error?.details).toMatchObject({ scope: "read_only" });
    }
  });

  it("an expired token is a 401; an expiry in the past is refused", async () => {
    const soon = new Date(Date.now() + 3_600_000).toISOString();
    const created = await call(a, "POST", "/tokens", { cookie: admin }, { name: "short", expiresAt: soon });
    expect(created.body.expiresAt).toBe(soon);
    const token = created.body.token as string;
    expect((await call(b, "GET", "/hosts", { token })).status).toBe(200);
    await env.db.prisma.apiToken.update({
      where: { id: created.body.id as string },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    const expired = await call(b, "GET", "/hosts", { token });
    expect(expired.status).toBe(401);
    expect(expired.body.error?.message).toContain("expired");
    const past = await call(
      a,
      "POST",
      "/tokens",
      { cookie: admin },
      { name: "past", expiresAt: "2020-01-01T00:00:00Z" },
    );
    expect(past.status).toBe(422);
    expect(past.body.error?.field).toBe("expiresAt");
  });
});

describe("audit view", () => {
  it("lists every user change, filters by kind, actor, target and host, and pages by cursor", async () => {
    const users = await call(a, "GET", "/audit?kind=user&limit=500", { cookie: admin });
    const actions = (users.body.events as { action: string }[]).map((e) => e.action);
    for (const action of [
      "user.create",
      "user.password_change",
      "user.invite_accept",
      "user.role",
      "user.disable",
    ]) {
      expect(actions).toContain(action);
    }
    expect(actions).toEqual(expect.arrayContaining(["user.enable", "user.delete"]));

    const host = (await env.db.prisma.host.findUniqueOrThrow({ where: { name: "op-host" } })).id;
    const byHost = await call(a, "GET", "/audit?host=op-host", { cookie: admin });
    expect(byHost.body.events).toEqual([
      expect.objectContaining({
        action: "host.create",
        hostId: host,
        actor: expect.objectContaining({ name: "operator@example.com" }),
      }),
    ]);
    const byActor = await call(a, "GET", "/audit?actor=operator@example.com&kind=host.create", {
      cookie: admin,
    });
    expect((byActor.body.events as unknown[]).length).toBe(1);

    const all = (await call(a, "GET", "/audit?limit=500", { cookie: admin })).body.events as { id: string }[];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Answer = await call(a, "GET", `/audit?limit=4${cursor ? `&cursor=${cursor}` : ""}`, {
        cookie: admin,
      });
      expect(page.status).toBe(200);
      seen.push(...(page.body.events as { id: string }[]).map((e) => e.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.id));
  });
});

// Last in the file: it locks this client address for sign-ins and password checks.
describe("password change throttle", () => {
  it("wrong current passwords are counted like failed sign-ins: 422 each, then a 429 with Retry-After", async () => {
    const user = await userWith("guesser@example.com", "viewer");
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8 && !statuses.includes(429); i++) {
      const res = await fetch(`${a}/api/v1/auth/password`, {
        method: "POST",
        headers: { cookie: user.cookie, "content-type": "application/json" },
        body: JSON.stringify({ currentPassword: `guess-${i}`, newPassword: "a-new-password-1" }),
      });
      statuses.push(res.status);
      retryAfter = res.headers.get("retry-after");
    }
    expect(statuses.slice(0, 6)).toEqual([422, 422, 422, 422, 422, 422]);
    expect(statuses.at(-1)).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});
