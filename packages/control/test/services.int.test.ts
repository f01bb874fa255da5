import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { type Inventory, PROTOCOL_VERSION } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  authenticateAgent,
  bootstrapAdmin,
  createApiToken,
  createHost,
  createSession,
  createUser,
  DomainError,
  enrollHost,
  getHost,
  ingestInventory,
  issueEnrollmentToken,
  markOfflineIfNotSeenSince,
  markSeen,
  type Principal,
  resolveApiToken,
  resolveSession,
  revokeApiToken,
  revokeHost,
  type ServiceContext,
  sweepOfflineHosts,
  systemActor,
  toUserDto,
  verifyCredentials,
} from "../src";

let db: TestDatabase;
let clock = new Date("2026-01-01T00:00:00Z");
let ctx: ServiceContext;
const advance = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
const HOUR = 3_600_000;

function inventory(hostname: string, extra: Partial<Pick<Inventory, "interfaces">> = {}): Inventory {
  return {
    collectedAt: clock.toISOString(),
    hostname,
    interfaces: extra.interfaces ?? [
      {
        name: "eth0",
        index: 2,
        kind: "",
        mac: "02:00:00:00:00:01",
        mtu: 1500,
        operState: "UP",
        master: null,
        peerIndex: null,
        addresses: [{ family: "inet", address: "10.0.0.5", prefixLength: 24 }],
      },
    ],
    bridges: [],
    ovs: { available: false, error: null, bridges: [] },
    namespaces: [],
    docker: { available: false, error: null },
    containers: [],
  };
}

async function expectDomainError(promise: Promise<unknown>, code: string, messagePart?: string) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  expect((err as DomainError).code).toBe(code);
  if (messagePart) expect((err as DomainError).message).toContain(messagePart);
  return err as DomainError;
}

/** Row counts of every core table: "nothing changed" means these are equal before and after. */
async function snapshotCounts() {
  const p = db.prisma;
  const [hosts, tokens, usedTokens, credentials, audits, inventories] = await Promise.all([
    p.host.findMany({ orderBy: { id: "asc" } }),
    p.enrollmentToken.count(),
    p.enrollmentToken.count({ where: { usedAt: { not: null } } }),
    p.hostCredential.count(),
    p.auditEvent.count(),
    p.hostInventory.count(),
  ]);
  return { hosts, tokens, usedTokens, credentials, audits, inventories };
}

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { prisma: db.prisma, now: () => clock };
});
afterAll(async () => {
  await db?.drop();
});

describe("users and sessions", () => {
  it("bootstraps one admin with a generated one-time password, once", async () => {
    const first = await bootstrapAdmin(ctx);
    expect(first.created).toBe(true);
    expect(first.email).toBe("admin@switchyard.local");
    expect(first.oneTimePassword).toMatch(/^[\w-]{20}$/);
    const second = await bootstrapAdmin(ctx);
    expect(second).toEqual({ created: false, email: "admin@switchyard.local", oneTimePassword: null });
    const user = await verifyCredentials(ctx, "admin@switchyard.local", first.oneTimePassword as string);
    expect(user.role).toBe("admin");
    expect(user.passwordHash).toMatch(/^\$argon2id\$/);
    await expectDomainError(verifyCredentials(ctx, "admin@switchyard.local", "wrong"), "unauthorized");
    await expectDomainError(verifyCredentials(ctx, "nobody@example.com", "wrong"), "unauthorized");
  });

  it("stores only the hash of a session token and expires it", async () => {
    const user = await createUser(ctx, {
      email: "ops@example.com",
      password: "pw-ops-123",
      role: "operator",
    });
    const session = await createSession(ctx, user, HOUR);
    expect(session.token).toMatch(/^sys_/);
    const row = await db.prisma.session.findFirstOrThrow({ where: { userId: user.id } });
    expect(row.tokenHash).not.toContain(session.token);
    expect((await resolveSession(ctx, session.token))?.user.email).toBe("ops@example.com");
    advance(HOUR + 1);
    expect(await resolveSession(ctx, session.token)).toBeNull();
  });

  it("API tokens: created once, resolved, revoked", async () => {
    const user = await db.prisma.user.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    const principal: Principal = { user: toUserDto(user), via: "session", credentialId: "s" };
    const created = await createApiToken(ctx, principal, { name: "ci" });
    expect(created.token).toMatch(/^syt_/);
    expect(created.token.startsWith(created.prefix)).toBe(true);
    expect(await db.prisma.apiToken.count({ where: { tokenHash: created.token } })).toBe(0);
    expect((await resolveApiToken(ctx, created.token))?.user.role).toBe("operator");
    await revokeApiToken(ctx, principal, created.id);
    expect(await resolveApiToken(ctx, created.token)).toBeNull();
    await expectDomainError(revokeApiToken(ctx, principal, created.id), "conflict");
  });
});

describe("enrollment", () => {
  it("turns a token into a credential once; reuse is refused and changes nothing", async () => {
    const created = await createHost(ctx, systemActor, { name: "node-1" }, { enrollmentTtlMs: HOUR });
    expect(created.enrollment.token).toMatch(/^sye_/);
    expect(created.host.status).toBe("pending");
    const body = {
      token: created.enrollment.token,
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: "0.1.0",
      hostname: "n1",
    };
    const enrolled = await enrollHost(ctx, body);
    expect(enrolled.credential).toMatch(/^syh_/);
    expect(enrolled.hostName).toBe("node-1");

    const before = await snapshotCounts();
    await expectDomainError(enrollHost(ctx, body), "unauthorized", "already used");
    expect(await snapshotCounts()).toEqual(before);

    const host = await authenticateAgent(ctx, {
      credential: enrolled.credential,
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: "0.1.0",
    });
    expect(host.id).toBe(enrolled.hostId);
  });

  it("refuses an expired token and changes nothing", async () => {
    const created = await createHost(ctx, systemActor, { name: "node-2" }, { enrollmentTtlMs: 1000 });
    advance(1001);
    const before = await snapshotCounts();
    await expectDomainError(
      enrollHost(ctx, {
        token: created.enrollment.token,
        protocolVersion: PROTOCOL_VERSION,
        agentVersion: "0.1.0",
        hostname: "n2",
      }),
      "unauthorized",
      "expired",
    );
    expect(await snapshotCounts()).toEqual(before);
  });

  it("refuses an unknown token and a wrong protocol version, changing nothing", async () => {
    const created = await createHost(ctx, systemActor, { name: "node-3" }, { enrollmentTtlMs: HOUR });
    const before = await snapshotCounts();
    await expectDomainError(
      enrollHost(ctx, {
        token: "sye_nope",
        protocolVersion: PROTOCOL_VERSION,
        agentVersion: "0.1.0",
        hostname: "x",
      }),
      "unauthorized",
      "not valid",
    );
    const err = await expectDomainError(
      enrollHost(ctx, {
        token: created.enrollment.token,
        protocolVersion: PROTOCOL_VERSION + 1,
        agentVersion: "9.0.0",
        hostname: "x",
      }),
      "protocol_mismatch",
    );
    expect(err.details?.serverProtocolVersion).toBe(PROTOCOL_VERSION);
    expect(await snapshotCounts()).toEqual(before);
  });

  it("a revoked host's credential and unused tokens stop working", async () => {
    const created = await createHost(ctx, systemActor, { name: "node-4" }, { enrollmentTtlMs: HOUR });
    const enrolled = await enrollHost(ctx, {
      token: created.enrollment.token,
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: "0.1.0",
      hostname: "n4",
    });
    const revoked = await revokeHost(ctx, systemActor, "node-4", "decommissioned");
    expect(revoked.status).toBe("revoked");
    await expectDomainError(
      authenticateAgent(ctx, {
        credential: enrolled.credential,
        protocolVersion: PROTOCOL_VERSION,
        agentVersion: "0.1.0",
      }),
      "forbidden",
      "revoked",
    );
    await expectDomainError(markSeen(ctx, enrolled.hostId), "forbidden");
    const audit = await db.prisma.auditEvent.findFirstOrThrow({
      where: { action: "host.revoke", targetId: enrolled.hostId },
    });
    expect(audit.reason).toBe("decommissioned");
    await expectDomainError(revokeHost(ctx, systemActor, "node-4"), "conflict");
    await expectDomainError(revokeHost(ctx, systemActor, "no-such-host"), "not_found");
  });
});

describe("credential rotation", () => {
  it("re-enrolling a host rotates its credential: the old one stops working once the new one is used", async () => {
    const created = await createHost(ctx, systemActor, { name: "node-rot" }, { enrollmentTtlMs: HOUR });
    const enroll = (token: string) =>
      enrollHost(ctx, { token, protocolVersion: PROTOCOL_VERSION, agentVersion: "0.1.0", hostname: "rot" });
    const connect = (credential: string) =>
      authenticateAgent(ctx, { credential, protocolVersion: PROTOCOL_VERSION, agentVersion: "0.1.0" });
    const first = await enroll(created.enrollment.token);
    await connect(first.credential);
    const again = await issueEnrollmentToken(ctx, systemActor, "node-rot", { enrollmentTtlMs: HOUR });
    const second = await enroll(again.enrollment.token);
    // Until the new credential is used, the running agent keeps working.
    await connect(first.credential);
    await connect(second.credential);
    await expectDomainError(connect(first.credential), "forbidden");
    await connect(second.credential);
    const rows = await db.prisma.hostCredential.findMany({ where: { hostId: first.hostId } });
    expect(rows.filter((r) => r.revokedAt === null)).toHaveLength(1);
    expect(rows.every((r) => r.lastUsedAt !== null)).toBe(true);
    // The host page shows the count and the last use.
    const newest = Math.max(...rows.map((r) => r.lastUsedAt?.getTime() ?? 0));
    expect((await getHost(ctx, "node-rot")).credentials).toEqual({
      active: 1,
      revoked: 1,
      lastUsedAt: new Date(newest).toISOString(),
    });
  });
});

describe("inventory and presence", () => {
  it("stores a snapshot with its digest and skips unchanged reports", async () => {
    const { host } = await createHost(ctx, systemActor, { name: "inv-1" }, { enrollmentTtlMs: HOUR });
    const first = await ingestInventory(ctx, host.id, inventory("inv-1.lab"));
    expect(first.changed).toBe(true);
    advance(5000);
    // Same content, later collectedAt, keys in another order: unchanged, nothing written.
    const { hostname, ...rest } = inventory("inv-1.lab");
    const same = await ingestInventory(ctx, host.id, { ...rest, hostname });
    expect(same.changed).toBe(false);
    expect(same.receivedAt).toEqual(first.receivedAt);
    const changed = await ingestInventory(ctx, host.id, inventory("inv-1.lab", { interfaces: [] }));
    expect(changed.changed).toBe(true);
    const detail = await getHost(ctx, "inv-1");
    expect(detail.inventory?.interfaces).toEqual([]);
    expect(detail.hostname).toBe("inv-1.lab");
  });

  it("online on contact, offline after missed heartbeats or a disconnect", async () => {
    const { host } = await createHost(ctx, systemActor, { name: "pres-1" }, { enrollmentTtlMs: HOUR });
    const seen = await markSeen(ctx, host.id, { agentVersion: "0.1.0" });
    expect(seen).toMatchObject({ changed: true, host: { status: "online" } });
    advance(1000);
    expect((await markSeen(ctx, host.id)).changed).toBe(false);

    advance(10_000);
    expect((await sweepOfflineHosts(ctx, 15_000)).map((h) => h.name)).not.toContain("pres-1");
    advance(6_000);
    const swept = await sweepOfflineHosts(ctx, 15_000);
    expect(swept.map((h) => [h.name, h.status])).toContainEqual(["pres-1", "offline"]);
    expect(await sweepOfflineHosts(ctx, 15_000)).toEqual([]);

    expect((await markSeen(ctx, host.id)).changed).toBe(true);
    const disconnectedAt = new Date(clock);
    advance(100);
    // Reconnected before the grace ended: stays online.
    await markSeen(ctx, host.id);
    expect(await markOfflineIfNotSeenSince(ctx, host.id, disconnectedAt)).toBeNull();
    advance(100);
    const offline = await markOfflineIfNotSeenSince(ctx, host.id, new Date(clock));
    expect(offline?.status).toBe("offline");
  });
});
