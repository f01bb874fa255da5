// Issue 13 point 1 and parts of 2 and 6 against a real PostgreSQL: user management with the last-admin
// rule under concurrency, one-time passwords and invite links, sessions and tokens ended, the audit
// log's filters and cursor, API-token expiry and scope.
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  acceptInvite,
  changeOwnPassword,
  createApiToken,
  createSession,
  createUser,
  createUserAccount,
  DomainError,
  deleteUser,
  listAudit,
  listUsers,
  type Principal,
  recordAudit,
  resetUserPassword,
  resolveApiToken,
  resolveSession,
  type ServiceContext,
  systemActor,
  toUserDto,
  updateUser,
  verifyCredentials,
} from "../src";

let db: TestDatabase;
let clock = new Date("2026-03-01T00:00:00Z");
let ctx: ServiceContext;
let admin: Principal;
const invites = { publicUrl: "http://yard.test:3000", inviteTtlMs: 3_600_000 };

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

async function principalOf(email: string): Promise<Principal> {
  const user = await db.prisma.user.findUniqueOrThrow({ where: { email } });
  return { user: toUserDto(user), via: "session", credentialId: `session-of-${email}` };
}

beforeAll(async () => {
  db = await createTestDatabase();
  // Every reading of the clock moves it on a millisecond: entries written in turn are ordered in time.
  ctx = {
    prisma: db.prisma,
    now: () => {
      clock = new Date(clock.getTime() + 1);
      return clock;
    },
  };
  await createUser(ctx, { email: "root@example.com", password: "root-password-1", role: "admin" });
  admin = await principalOf("root@example.com");
});
afterAll(async () => {
  await db?.drop();
});

describe("accounts", () => {
  it("a one-time password works once, then only changing it is allowed", async () => {
    const issued = await createUserAccount(
      ctx,
      admin,
      { email: "Ops@Example.com", role: "operator" },
      invites,
    );
    expect(issued.user).toMatchObject({
      email: "ops@example.com",
      role: "operator",
      mustChangePassword: true,
    });
    expect(issued.oneTimePassword).toMatch(/^[\w-]{20}$/);
    expect(issued.invite).toBeNull();
    const user = await verifyCredentials(ctx, "ops@example.com", issued.oneTimePassword as string);
    expect(toUserDto(user).mustChangePassword).toBe(true);

    const ops = await principalOf("ops@example.com");
    const wrong = await domainError(
      changeOwnPassword(ctx, ops, { currentPassword: "nope", newPassword: "a-new-password-1" }),
    );
    expect(wrong).toMatchObject({ code: "validation_failed", field: "currentPassword" });
    const other = await createSession(ctx, user, 3_600_000);
    const changed = await changeOwnPassword(ctx, ops, {
      currentPassword: issued.oneTimePassword as string,
      newPassword: "a-new-password-1",
    });
    expect(changed.user.mustChangePassword).toBe(false);
    expect(changed.endedCredentialIds).toHaveLength(1); // the other session, not the caller's
    expect(await resolveSession(ctx, other.token)).toBeNull();
    await verifyCredentials(ctx, "ops@example.com", "a-new-password-1");
    expect(
      (
        await domainError(
          createUserAccount(ctx, admin, { email: "ops@example.com", role: "viewer" }, invites),
        )
      ).field,
    ).toBe("email");
  });

  it("an invite link sets the password once and expires", async () => {
    const issued = await createUserAccount(
      ctx,
      admin,
      { email: "new@example.com", role: "viewer", delivery: "invite" },
      invites,
    );
    expect(issued.oneTimePassword).toBeNull();
    const invite = issued.invite as NonNullable<typeof issued.invite>;
    expect(invite.url).toBe(`http://yard.test:3000/invite#${invite.token}`);
    expect(issued.user.inviteExpiresAt).toBe(invite.expiresAt);
    const user = await acceptInvite(ctx, { token: invite.token, password: "chosen-password-1" });
    expect(user.email).toBe("new@example.com");
    await verifyCredentials(ctx, "new@example.com", "chosen-password-1");
    expect(
      (await domainError(acceptInvite(ctx, { token: invite.token, password: "again-password-1" }))).code,
    ).toBe("unauthorized");

    const reset = await resetUserPassword(ctx, admin, "new@example.com", "invite", invites);
    clock = new Date(clock.getTime() + invites.inviteTtlMs + 1);
    const expired = await domainError(
      acceptInvite(ctx, { token: reset.invite?.token ?? "", password: "late-password-1" }),
    );
    expect(expired.code).toBe("unauthorized");
  });

  it("only admins manage users", async () => {
    const ops = await principalOf("ops@example.com");
    expect((await domainError(listUsers(ctx, ops))).code).toBe("forbidden");
    expect((await domainError(updateUser(ctx, ops, "new@example.com", { role: "admin" }))).code).toBe(
      "forbidden",
    );
    expect((await listUsers(ctx, admin)).map((u) => u.email)).toEqual([
      "new@example.com",
      "ops@example.com",
      "root@example.com",
    ]);
  });

  it("disabling ends the user's sessions and refuses its tokens; enabling lets it sign in again", async () => {
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    const session = await createSession(ctx, user, 3_600_000);
    const token = await createApiToken(ctx, await principalOf("ops@example.com"), { name: "ci" });
    const disabled = await updateUser(ctx, admin, "ops@example.com", { disabled: true });
    expect(disabled.user.disabledAt).not.toBeNull();
    expect(disabled.endedCredentialIds).toEqual(expect.arrayContaining([token.id]));
    expect(await resolveSession(ctx, session.token)).toBeNull();
    expect(await resolveApiToken(ctx, token.token)).toBeNull();
    expect((await domainError(verifyCredentials(ctx, "ops@example.com", "a-new-password-1"))).code).toBe(
      "forbidden",
    );
    await updateUser(ctx, admin, "ops@example.com", { disabled: false });
    expect((await resolveApiToken(ctx, token.token))?.user.email).toBe("ops@example.com");
  });
});

describe("the last active admin", () => {
  it("cannot be demoted, disabled or deleted", async () => {
    for (const change of [
      () => updateUser(ctx, admin, "root@example.com", { role: "operator" }),
      () => updateUser(ctx, admin, "root@example.com", { disabled: true }),
      () => deleteUser(ctx, admin, "root@example.com"),
    ]) {
      const err = await domainError(change());
      expect(err.code).toBe("conflict");
      expect(err.message).toContain("last active admin");
    }
    expect((await db.prisma.user.findUniqueOrThrow({ where: { email: "root@example.com" } })).role).toBe(
      "admin",
    );
  });

  it("two concurrent demotions of the last two admins: exactly one passes, every round", async () => {
    await updateUser(ctx, admin, "new@example.com", { role: "admin" });
    const kinds = [
      (who: string) => updateUser(ctx, admin, who, { role: "viewer" }),
      (who: string) => updateUser(ctx, admin, who, { disabled: true }),
      (who: string) => deleteUser(ctx, admin, who),
    ];
    for (let round = 0; round < 9; round++) {
      const first = kinds[round % 3] as (typeof kinds)[number];
      const second = kinds[Math.floor(round / 3) % 3] as (typeof kinds)[number];
      const results = await Promise.allSettled([first("root@example.com"), second("new@example.com")]);
      const passed = results.filter((r) => r.status === "fulfilled");
      const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason as unknown] : []));
      expect(passed).toHaveLength(1);
      expect(refused).toHaveLength(1);
      expect(refused[0]).toBeInstanceOf(DomainError);
      expect((refused[0] as DomainError).code).toBe("conflict");
      const active = await db.prisma.user.count({ where: { role: "admin", disabledAt: null } });
      expect(active).toBe(1);
      // Put both admins back for the next round.
      await restoreAdmin("root@example.com");
      await restoreAdmin("new@example.com");
    }
  });
});

async function restoreAdmin(email: string) {
  const existing = await db.prisma.user.findUnique({ where: { email } });
  if (!existing) {
    await createUser(ctx, { email, password: "restored-password-1", role: "admin" });
  } else {
    await db.prisma.user.update({ where: { email }, data: { role: "admin", disabledAt: null } });
  }
  if (email === "root@example.com") admin = await principalOf(email);
}

describe("audit log", () => {
  it("every user change is an entry; filters by kind, actor and target; the cursor pages without repeats", async () => {
    const actions = (await listAudit(ctx, admin, { kind: "user", limit: 500 })).events.map((e) => e.action);
    for (const action of [
      "user.create",
      "user.password_change",
      "user.invite_accept",
      "user.reset_password",
      "user.disable",
      "user.enable",
      "user.role",
      "user.delete",
    ]) {
      expect(actions).toContain(action);
    }
    const ops = await db.prisma.user.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    const forOps = await listAudit(ctx, admin, { target: ops.id, limit: 500 });
    expect(forOps.events.map((e) => e.action).reverse()).toEqual([
      "user.create",
      "user.password_change",
      "user.disable",
      "user.enable",
    ]);
    const byActor = await listAudit(ctx, admin, {
      actor: "ROOT@example.com",
      kind: "user.disable",
      limit: 500,
    });
    expect(
      byActor.events.every((e) => e.actor.name === "root@example.com" && e.action === "user.disable"),
    ).toBe(true);

    const all = await listAudit(ctx, admin, { limit: 500 });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAudit(ctx, admin, { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.events.length).toBeLessThanOrEqual(3);
      seen.push(...page.events.map((e) => e.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.events.map((e) => e.id));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("host, network, address and time filters use the entry's scope", async () => {
    const host = await db.prisma.host.create({ data: { name: "edge-1" } });
    const at = new Date("2026-04-01T10:00:00Z");
    await recordAudit(db.prisma, {
      actor: systemActor,
      action: "host.create",
      targetType: "host",
      targetId: host.id,
      at,
    });
    await recordAudit(db.prisma, {
      actor: systemActor,
      action: "attachment.attach",
      targetType: "attachment",
      targetId: "att-1",
      details: { address: "10.0.0.7" },
      scope: { hostId: host.id, networkId: "net-1" },
      at: new Date(at.getTime() + 60_000),
    });
    const byHost = await listAudit(ctx, admin, { host: "edge-1", limit: 50 });
    expect(byHost.events.map((e) => e.action)).toEqual(["attachment.attach", "host.create"]);
    expect(
      (await listAudit(ctx, admin, { network: "net-1", limit: 50 })).events.map((e) => e.targetId),
    ).toEqual(["att-1"]);
    expect((await listAudit(ctx, admin, { address: "10.0.0.7", limit: 50 })).events).toHaveLength(1);
    const window = await listAudit(ctx, admin, {
      host: host.id,
      from: at.toISOString(),
      to: new Date(at.getTime() + 60_000).toISOString(),
      limit: 50,
    });
    expect(window.events.map((e) => e.action)).toEqual(["host.create"]);
    expect((await domainError(listAudit(ctx, admin, { cursor: "bm9wZQ", limit: 5 }))).field).toBe(
      "query.cursor",
    );
  });
});

describe("API token expiry and scope", () => {
  it("an expired token stops resolving; a read-only token says so; an expiry in the past is refused", async () => {
    const ops = await principalOf("ops@example.com");
    const past = await domainError(
      createApiToken(ctx, ops, { name: "old", expiresAt: "2020-01-01T00:00:00Z" }),
    );
    expect(past).toMatchObject({ code: "validation_failed", field: "expiresAt" });
    const soon = new Date(clock.getTime() + 60_000).toISOString();
    const token = await createApiToken(ctx, ops, { name: "short", expiresAt: soon, scope: "read_only" });
    expect(token).toMatchObject({ expiresAt: soon, scope: "read_only" });
    expect((await resolveApiToken(ctx, token.token))?.scope).toBe("read_only");
    // A read-only principal cannot mint a full token, even if the edge let it through.
    const readOnly = (await resolveApiToken(ctx, token.token)) as Principal;
    expect((await createApiToken(ctx, readOnly, { name: "escalate", scope: "full" })).scope).toBe(
      "read_only",
    );
    clock = new Date(clock.getTime() + 60_001);
    expect(await resolveApiToken(ctx, token.token)).toBeNull();
  });
});
