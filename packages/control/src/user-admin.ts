import type {
  CreateUserBody,
  CredentialDelivery,
  IssuedCredential,
  Role,
  UpdateUserBody,
  UserInfo,
} from "@switchyard/protocol";
import { type Actor, recordAudit } from "./audit";
import type { Db, ServiceContext } from "./context";
import { conflict, notFound } from "./errors";
import type { User } from "./models";
import { hashPassword } from "./passwords";
import { actorOf, type Principal, requireRole } from "./principal";
import { generatePassword, generateSecret, hashSecret, SecretPrefix } from "./secrets";

/**
 * User management by admins. Every change that could take admin rights away (a role, disabling,
 * deleting) runs `lockForChange`, which locks every active admin's row before the target's: two
 * concurrent demotions of the last two admins serialize, and the second sees one admin left.
 */

export interface InviteOptions {
  /** PUBLIC_URL: the invite link points at its /invite page. */
  publicUrl: string;
  inviteTtlMs: number;
}

/** A change to a user and the credentials it ended (their sockets are closed by the caller). */
export interface UserChange {
  user: UserInfo;
  endedCredentialIds: string[];
}

type UserRow = User & { sessions?: { lastUsedAt: Date }[] };

export function toUserInfo(user: UserRow): UserInfo {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    disabledAt: user.disabledAt?.toISOString() ?? null,
    mustChangePassword: user.mustChangePassword,
    inviteExpiresAt: user.inviteTokenHash ? (user.inviteExpiresAt?.toISOString() ?? null) : null,
    lastSeenAt: user.sessions?.[0]?.lastUsedAt.toISOString() ?? null,
  };
}

const withLastSession = { sessions: { orderBy: { lastUsedAt: "desc" as const }, take: 1 } };

export async function listUsers(ctx: ServiceContext, principal: Principal): Promise<UserInfo[]> {
  requireRole(principal, "admin");
  const users = await ctx.prisma.user.findMany({ orderBy: { email: "asc" }, include: withLastSession });
  return users.map(toUserInfo);
}

export async function getUser(
  ctx: ServiceContext,
  principal: Principal,
  idOrEmail: string,
): Promise<UserInfo> {
  requireRole(principal, "admin");
  const user = await ctx.prisma.user.findFirst({ where: byIdOrEmail(idOrEmail), include: withLastSession });
  if (!user) throw notFound(`user ${idOrEmail}`, "id");
  return toUserInfo(user);
}

/** Creates an account with a set password, a one-time password (the default) or an invite link. */
export async function createUserAccount(
  ctx: ServiceContext,
  principal: Principal,
  body: CreateUserBody,
  options: InviteOptions,
): Promise<IssuedCredential> {
  requireRole(principal, "admin");
  const now = ctx.now();
  const email = body.email.trim().toLowerCase();
  const delivery: CredentialDelivery | null = body.password ? null : (body.delivery ?? "one_time_password");
  const secret = issueSecret(delivery, now, options);
  const passwordHash = await hashPassword(body.password ?? secret.password);
  const user = await ctx.prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email } })) {
      throw conflict(`a user with email ${email} already exists`, "email");
    }
    const created = await tx.user.create({
      data: { email, role: body.role, passwordHash, createdAt: now, ...secret.columns },
    });
    await audit(tx, actorOf(principal), "user.create", created, now, { role: body.role, delivery });
    return created;
  });
  return issued(user, delivery, secret);
}

/** A new one-time password or invite link; the user's sessions end (tokens stay). */
export async function resetUserPassword(
  ctx: ServiceContext,
  principal: Principal,
  idOrEmail: string,
  delivery: CredentialDelivery,
  options: InviteOptions,
): Promise<IssuedCredential & { endedCredentialIds: string[] }> {
  requireRole(principal, "admin");
  const now = ctx.now();
  const secret = issueSecret(delivery, now, options);
  const passwordHash = await hashPassword(secret.password);
  return ctx.prisma.$transaction(async (tx) => {
    const target = await lockUser(tx, idOrEmail);
    const ended = await endSessions(tx, target.id);
    const user = await tx.user.update({
      where: { id: target.id },
      data: { passwordHash, ...secret.columns },
    });
    await audit(tx, actorOf(principal), "user.reset_password", user, now, { delivery });
    return { ...issued(user, delivery, secret), endedCredentialIds: ended };
  });
}

/**
 * A role and/or disabled flag. A role change or a disable ends the user's sessions (and the caller
 * closes the sockets of its sessions and tokens, which hold the old role); the last active admin
 * can neither be demoted nor disabled.
 */
export async function updateUser(
  ctx: ServiceContext,
  principal: Principal,
  idOrEmail: string,
  patch: UpdateUserBody,
): Promise<UserChange> {
  requireRole(principal, "admin");
  const now = ctx.now();
  return ctx.prisma.$transaction(async (tx) => {
    const target = await lockForChange(tx, idOrEmail, (u) => {
      const role = patch.role ?? u.role;
      const disabled = patch.disabled ?? u.disabledAt !== null;
      return role !== "admin" || disabled;
    });
    const roleChanged = patch.role !== undefined && patch.role !== target.role;
    const disabling = patch.disabled === true && target.disabledAt === null;
    const enabling = patch.disabled === false && target.disabledAt !== null;
    if (!roleChanged && !disabling && !enabling) {
      return { user: toUserInfo(target), endedCredentialIds: [] };
    }
    const user = await tx.user.update({
      where: { id: target.id },
      data: {
        ...(roleChanged ? { role: patch.role as Role } : {}),
        ...(disabling ? { disabledAt: now } : enabling ? { disabledAt: null } : {}),
      },
    });
    const actor = actorOf(principal);
    if (roleChanged) await audit(tx, actor, "user.role", user, now, { from: target.role, to: user.role });
    if (disabling) await audit(tx, actor, "user.disable", user, now);
    if (enabling) await audit(tx, actor, "user.enable", user, now);
    const ended = roleChanged || disabling ? await endCredentials(tx, user.id) : [];
    return { user: toUserInfo(user), endedCredentialIds: ended };
  });
}

/** Deletes an account with its sessions and tokens; never the last active admin. */
export async function deleteUser(
  ctx: ServiceContext,
  principal: Principal,
  idOrEmail: string,
): Promise<UserChange> {
  requireRole(principal, "admin");
  const now = ctx.now();
  return ctx.prisma.$transaction(async (tx) => {
    const target = await lockForChange(tx, idOrEmail, () => true);
    const ended = await endCredentials(tx, target.id);
    await tx.user.delete({ where: { id: target.id } });
    await audit(tx, actorOf(principal), "user.delete", target, now, { role: target.role });
    return { user: toUserInfo(target), endedCredentialIds: ended };
  });
}

/**
 * Locks every active admin (in id order, always first, so concurrent changes never deadlock), then
 * the target. When the change leaves the target without admin rights (`losesAdmin`) and it is the
 * only active admin, refuses. In READ COMMITTED a waiting `FOR UPDATE` re-checks its WHERE once the
 * holder commits, so an admin demoted meanwhile is no longer counted.
 */
async function lockForChange(tx: Db, idOrEmail: string, losesAdmin: (user: User) => boolean): Promise<User> {
  const admins = await tx.$queryRaw<{ id: string }[]>`
    SELECT "id" FROM "User" WHERE "role" = 'admin' AND "disabledAt" IS NULL ORDER BY "id" FOR UPDATE`;
  const target = await lockUser(tx, idOrEmail);
  const isActiveAdmin = admins.some((a) => a.id === target.id);
  if (isActiveAdmin && admins.length <= 1 && losesAdmin(target)) {
    throw conflict(`${target.email} is the last active admin; make another user admin first`, "id", {
      userId: target.id,
    });
  }
  return target;
}

async function lockUser(tx: Db, idOrEmail: string): Promise<User> {
  const found = await tx.user.findFirst({ where: byIdOrEmail(idOrEmail), select: { id: true } });
  if (!found) throw notFound(`user ${idOrEmail}`, "id");
  await tx.$queryRaw`SELECT "id" FROM "User" WHERE "id" = ${found.id} FOR UPDATE`;
  const user = await tx.user.findUnique({ where: { id: found.id } });
  if (!user) throw notFound(`user ${idOrEmail}`, "id");
  return user;
}

const byIdOrEmail = (idOrEmail: string) => ({
  OR: [{ id: idOrEmail }, { email: idOrEmail.trim().toLowerCase() }],
});

/** Deletes the user's sessions; returns their ids. */
export async function endSessions(
  tx: Db,
  userId: string,
  keepSessionId: string | null = null,
): Promise<string[]> {
  const sessions = await tx.session.findMany({
    where: { userId, ...(keepSessionId ? { id: { not: keepSessionId } } : {}) },
    select: { id: true },
  });
  const ids = sessions.map((s) => s.id);
  if (ids.length > 0) await tx.session.deleteMany({ where: { id: { in: ids } } });
  return ids;
}

/** Ends the sessions and lists the tokens too: sockets opened with either are closed by the caller. */
async function endCredentials(tx: Db, userId: string): Promise<string[]> {
  const sessions = await endSessions(tx, userId);
  const tokens = await tx.apiToken.findMany({ where: { userId, revokedAt: null }, select: { id: true } });
  return [...sessions, ...tokens.map((t) => t.id)];
}

interface IssuedSecret {
  /** What the password hash is made of: the one-time password, or a random one nobody learns. */
  password: string;
  oneTimePassword: string | null;
  invite: { token: string; url: string; expiresAt: Date } | null;
  columns: Pick<User, "mustChangePassword" | "inviteTokenHash" | "inviteExpiresAt">;
}

function issueSecret(delivery: CredentialDelivery | null, now: Date, options: InviteOptions): IssuedSecret {
  const none = { mustChangePassword: false, inviteTokenHash: null, inviteExpiresAt: null };
  if (delivery === null)
    return { password: generatePassword(), oneTimePassword: null, invite: null, columns: none };
  if (delivery === "one_time_password") {
    const password = generatePassword();
    return {
      password,
      oneTimePassword: password,
      invite: null,
      columns: { ...none, mustChangePassword: true },
    };
  }
  const token = generateSecret(SecretPrefix.invite);
  const expiresAt = new Date(now.getTime() + options.inviteTtlMs);
  // The token rides in the fragment: it never reaches a server log or a Referer header.
  const url = `${options.publicUrl.replace(/\/$/, "")}/invite#${token}`;
  return {
    password: generatePassword(),
    oneTimePassword: null,
    invite: { token, url, expiresAt },
    columns: { mustChangePassword: false, inviteTokenHash: hashSecret(token), inviteExpiresAt: expiresAt },
  };
}

function issued(user: User, delivery: CredentialDelivery | null, secret: IssuedSecret): IssuedCredential {
  return {
    user: toUserInfo(user),
    oneTimePassword: delivery === "one_time_password" ? secret.oneTimePassword : null,
    invite:
      delivery === "invite" && secret.invite
        ? { ...secret.invite, expiresAt: secret.invite.expiresAt.toISOString() }
        : null,
  };
}

function audit(
  tx: Db,
  actor: Actor,
  action: string,
  user: User,
  at: Date,
  details: Record<string, string | null> = {},
): Promise<void> {
  return recordAudit(tx, {
    actor,
    action,
    targetType: "user",
    targetId: user.id,
    details: { email: user.email, ...details },
    at,
  });
}
