import {
  assertSignInAllowed,
  clearSignInFailures,
  createSession,
  DomainError,
  deleteSession,
  HashLimiter,
  recordSignInFailure,
  SESSION_COOKIE,
  toUserDto,
  verifyCredentials,
} from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import { isCrossSite, type RequestContext } from "../context";
import { parseCookies, serializeCookie } from "../cookies";
import { implement, Reply } from "../implement";
import type { Route } from "../router";

/** Password checks of this process: two at a time (the machine's cores), 64 waiting, the rest a 429. */
const hashes = new HashLimiter(2, 64);

const refuseCrossSite = ({ request, deps }: RequestContext, what: string) => {
  if (isCrossSite(request.headers, deps.config.publicUrl ?? null)) {
    throw new DomainError("forbidden", `cross-site ${what} refused`);
  }
};

export const authRoutes: Route[] = [
  implement(apiRoutes.signIn, async (ctx, { body }) => {
    refuseCrossSite(ctx, "sign-in");
    const { services, deps } = ctx;
    const keys = { email: body.email, clientAddress: ctx.clientAddress };
    await assertSignInAllowed(services, keys);
    // Checked again once a hash slot is free: failures recorded while this one waited may lock it.
    const user = await hashes
      .run(async () => {
        await assertSignInAllowed(services, keys);
        return verifyCredentials(services, body.email, body.password);
      })
      .catch(async (err: unknown) => {
        if (err instanceof DomainError && err.code === "unauthorized")
          await recordSignInFailure(services, keys);
        throw err;
      });
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
