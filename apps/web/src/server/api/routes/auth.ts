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
import { signInBodySchema } from "@switchyard/protocol";
import { isCrossSite } from "../context";
import { parseCookies, serializeCookie } from "../cookies";
import { json, parseBody } from "../http";
import { type Route, route } from "../router";

/** Password checks of this process: two at a time (the machine's cores), 64 waiting, the rest a 429. */
const hashes = new HashLimiter(2, 64);

export const authRoutes: Route[] = [
  /** Body signInBodySchema; sets the sy_session cookie; returns { user }. */
  route("POST", "/api/v1/auth/sign-in", async ({ request, deps, services, clientAddress }) => {
    if (isCrossSite(request.headers, deps.config.publicUrl ?? null)) {
      throw new DomainError("forbidden", "cross-site sign-in refused");
    }
    const body = await parseBody(request, signInBodySchema);
    const keys = { email: body.email, clientAddress };
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
    return json({ user: toUserDto(user) }, 200, { "set-cookie": cookie });
  }),

  /** Ends the cookie's session (if any) and clears the cookie. Always { ok: true }. */
  route("POST", "/api/v1/auth/sign-out", async ({ request, deps, services }) => {
    // Another site must not be able to sign the user out either.
    if (isCrossSite(request.headers, deps.config.publicUrl ?? null)) {
      throw new DomainError("forbidden", "cross-site sign-out refused");
    }
    const token = parseCookies(request.headers.get("cookie")).get(SESSION_COOKIE);
    const ended = token ? await deleteSession(services, token) : null;
    if (ended) deps.hub.disconnectCredential(ended);
    const cookie = serializeCookie(SESSION_COOKIE, "", {
      maxAgeSeconds: 0,
      secure: deps.config.cookieSecure,
    });
    return json({ ok: true }, 200, { "set-cookie": cookie });
  }),

  /** The signed-in user (protocol userSchema). */
  route("GET", "/api/v1/auth/me", async (ctx) => {
    const principal = await ctx.principal();
    return json(principal.user);
  }),
];
