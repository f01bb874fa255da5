import {
  acceptInvite,
  changeOwnPassword,
  createSession,
  DomainError,
  SESSION_COOKIE,
  toUserDto,
} from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import { serializeCookie } from "../cookies";
import { implement, Reply } from "../implement";
import { checkPassword } from "../password-checks";
import type { Route } from "../router";

/** What users do to their own account: change the password, or choose one on an invite link. */
export const accountRoutes: Route[] = [
  implement(apiRoutes.changePassword, async (ctx, { principal, body }) => {
    // The current password is checked like a sign-in: throttled per account and address, hashes bounded.
    const changed = await checkPassword(
      ctx.services,
      { email: principal.user.email, clientAddress: ctx.clientAddress },
      () => changeOwnPassword(ctx.services, principal, body),
      (err) => err instanceof DomainError && err.field === "currentPassword",
    );
    for (const id of changed.endedCredentialIds) ctx.deps.hub.disconnectCredential(id);
    return changed.user;
  }),

  implement(apiRoutes.acceptInvite, async (ctx, { body }) => {
    const user = await acceptInvite(ctx.services, body);
    const session = await createSession(ctx.services, user, ctx.deps.config.sessionTtlMs);
    const cookie = serializeCookie(SESSION_COOKIE, session.token, {
      maxAgeSeconds: ctx.deps.config.sessionTtlMs / 1000,
      secure: ctx.deps.config.cookieSecure,
    });
    return new Reply({ user: toUserDto(user) }, { "set-cookie": cookie });
  }),
];
