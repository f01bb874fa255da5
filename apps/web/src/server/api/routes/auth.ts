import {
  clearSignInFailures,
  createSession,
  DomainError,
  deleteSession,
  SESSION_COOKIE,
  toUserDto,
  verifyCredentials,
} from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import type { RequestContext } from "../context";
import { parseCookies, serializeCookie } from "../cookies";
import { implement, Reply } from "../implement";
import { checkPassword } from "../password-checks";
import type { Route } from "../router";
import { isCrossSite } from "../same-site";

const refuseCrossSite = ({ request, deps }: RequestContext, what: string) => {
  if (isCrossSite(request.headers, deps.config.site)) {
    throw new DomainError("forbidden", `cross-site ${what} refused`);
  }
};

export const authRoutes: Route[] = [
  implement(apiRoutes.signIn, async (ctx, { body }) => {
    refuseCrossSite(ctx, "sign-in");
    const { services, deps } = ctx;
    const keys = { email: body.email, clientAddress: ctx.clientAddress };
    const user = await checkPassword(
      services,
      keys,
      () => verifyCredentials(services, body.email, body.password),
      (err) => err instanceof DomainError && err.code === "unauthorized",
    );
    await clearSignInFailures(services, body.email);
    const session = await createSession(services, user, deps.config.sessionTtlMs);
    const cookie = serializeCookie(SESSION_COOKIE, session.token, {
      maxAgeSeconds: deps.config.sessionTtlMs / 1000,
      secure: deps.config.cookieSecure,
    });
    return new Reply({ user: toUserDto(user) }, { "set-cookie": cookie });
  }),

  implement(apiRoutes.signOut, async (ctx) => {
    // Another site must not be able to sign the user out either.
    refuseCrossSite(ctx, "sign-out");
    const token = parseCookies(ctx.request.headers.get("cookie")).get(SESSION_COOKIE);
    const ended = token ? await deleteSession(ctx.services, token) : null;
    if (ended) ctx.deps.hub.disconnectCredential(ended);
    const cookie = serializeCookie(SESSION_COOKIE, "", {
      maxAgeSeconds: 0,
      secure: ctx.deps.config.cookieSecure,
    });
    return new Reply({ ok: true as const }, { "set-cookie": cookie });
  }),

  implement(apiRoutes.me, async (_ctx, { principal }) => principal.user),
];
