import type { AcceptInviteBody, ChangePasswordBody } from "@switchyard/protocol";
import { recordAudit } from "./audit";
import type { ServiceContext } from "./context";
import { DomainError } from "./errors";
import type { User } from "./models";
import { hashPassword, verifyPassword } from "./passwords";
import { actorOf, type Principal } from "./principal";
import { hashSecret, SecretPrefix } from "./secrets";
import { endSessions } from "./user-admin";
import { toUserDto } from "./users";

/**
 * What a user does to their own account: change the password (which also clears a one-time
 * password's must-change mark and ends the user's other sessions), or choose one on an invite link.
 */
export async function changeOwnPassword(
  ctx: ServiceContext,
  principal: Principal,
  body: ChangePasswordBody,
): Promise<{ user: ReturnType<typeof toUserDto>; endedCredentialIds: string[] }> {
  const current = await ctx.prisma.user.findUnique({ where: { id: principal.user.id } });
  if (!current || !(await verifyPassword(current.passwordHash, body.currentPassword))) {
    throw new DomainError(
      "validation_failed",
      "currentPassword: is not your current password",
      "currentPassword",
    );
  }
  const passwordHash = await hashPassword(body.newPassword);
  const now = ctx.now();
  return ctx.prisma.$transaction(async (tx) => {
    const user = await tx.user.update({
      where: { id: current.id },
      data: { passwordHash, mustChangePassword: false, inviteTokenHash: null, inviteExpiresAt: null },
    });
    const keep = principal.via === "session" ? principal.credentialId : null;
    const ended = await endSessions(tx, user.id, keep);
    await recordAudit(tx, {
      actor: actorOf(principal),
      action: "user.password_change",
      targetType: "user",
      targetId: user.id,
      details: { email: user.email, endedSessions: ended.length },
      at: now,
    });
    return { user: toUserDto(user), endedCredentialIds: ended };
  });
}

/** Sets the password chosen on an invite link (once, before it expires); the caller signs the user in. */
export async function acceptInvite(ctx: ServiceContext, body: AcceptInviteBody): Promise<User> {
  const refused = new DomainError(
    "unauthorized",
    "this invite link is invalid, used or expired; ask an admin for a new one",
  );
  if (!body.token.startsWith(SecretPrefix.invite)) throw refused;
  const now = ctx.now();
  const valid = { inviteTokenHash: hashSecret(body.token), inviteExpiresAt: { gt: now }, disabledAt: null };
  // Anonymous callers reach this: no password is hashed for a token that is not a live invite.
  if ((await ctx.prisma.user.count({ where: valid })) === 0) throw refused;
  const passwordHash = await hashPassword(body.password);
  return ctx.prisma.$transaction(async (tx) => {
    // Clearing the hash in the same statement that checks it: a link works once, even raced.
    const updated = await tx.user.updateManyAndReturn({
      where: valid,
      data: { passwordHash, inviteTokenHash: null, inviteExpiresAt: null, mustChangePassword: false },
    });
    const user = updated[0];
    if (!user) throw refused;
    await recordAudit(tx, {
      actor: { type: "user", id: user.id, name: user.email },
      action: "user.invite_accept",
      targetType: "user",
      targetId: user.id,
      details: { email: user.email },
      at: now,
    });
    return user;
  });
}
