import { recordAudit } from "./audit";
import type { ServiceContext } from "./context";
import type { User } from "./models";
import type { Principal } from "./principal";
import { generateSecret, hashSecret, SecretPrefix } from "./secrets";
import { toUserDto } from "./users";

export const SESSION_COOKIE = "sy_session";

export interface CreatedSession {
  /** The cookie value; only its sha256 is stored. */
  token: string;
  expiresAt: Date;
}

export async function createSession(ctx: ServiceContext, user: User, ttlMs: number): Promise<CreatedSession> {
  const token = generateSecret(SecretPrefix.session);
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + ttlMs);
  await ctx.prisma.$transaction(async (tx) => {
    const session = await tx.session.create({
      data: { tokenHash: hashSecret(token), userId: user.id, createdAt: now, lastUsedAt: now, expiresAt },
    });
    await recordAudit(tx, {
      actor: { type: "user", id: user.id, name: user.email },
      action: "auth.sign_in",
      targetType: "session",
      targetId: session.id,
      at: now,
    });
  });
  return { token, expiresAt };
}

/** The principal behind a cookie value, or null when it is unknown or expired. */
export async function resolveSession(ctx: ServiceContext, token: string): Promise<Principal | null> {
  if (!token.startsWith(SecretPrefix.session)) return null;
  const session = await ctx.prisma.session.findUnique({
    where: { tokenHash: hashSecret(token) },
    include: { user: true },
  });
  const now = ctx.now();
  if (!session || session.expiresAt <= now || session.user.disabledAt) return null;
  // Touch at most once a minute: reads must not turn into a write per request.
  if (now.getTime() - session.lastUsedAt.getTime() > 60_000) {
    await ctx.prisma.session.update({ where: { id: session.id }, data: { lastUsedAt: now } });
  }
  return { user: toUserDto(session.user), via: "session", credentialId: session.id };
}

/** Ends the session of `token`; returns its id (null when there was none), so its sockets can be closed. */
export async function deleteSession(ctx: ServiceContext, token: string): Promise<string | null> {
  const session = await ctx.prisma.session.findUnique({
    where: { tokenHash: hashSecret(token) },
    include: { user: true },
  });
  if (!session) return null;
  await ctx.prisma.$transaction(async (tx) => {
    const { count } = await tx.session.deleteMany({ where: { id: session.id } });
    if (count === 0) return;
    await recordAudit(tx, {
      actor: { type: "user", id: session.user.id, name: session.user.email },
      action: "auth.sign_out",
      targetType: "session",
      targetId: session.id,
      at: ctx.now(),
    });
  });
  return session.id;
}

/** Removes expired sessions; run from a periodic job. */
export async function purgeExpiredSessions(ctx: ServiceContext): Promise<number> {
  const { count } = await ctx.prisma.session.deleteMany({ where: { expiresAt: { lte: ctx.now() } } });
  return count;
}
