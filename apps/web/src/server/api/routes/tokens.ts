import { createApiToken, listApiTokens, revokeApiToken } from "@switchyard/control";
import { createApiTokenBodySchema } from "@switchyard/protocol";
import { json, parseBody } from "../http";
import { type Route, route } from "../router";

// Every signed-in user (viewers too) manages their own API tokens: a token never has more rights
// than its user.
export const tokenRoutes: Route[] = [
  /** { tokens: ApiTokenInfo[] } of the caller. */
  route("GET", "/api/v1/tokens", async (ctx) => {
    const principal = await ctx.principal();
    return json({ tokens: await listApiTokens(ctx.services, principal) });
  }),

  /** Body { name }; 201 CreatedApiToken (the secret `token` is shown only here). */
  route("POST", "/api/v1/tokens", async (ctx) => {
    const principal = await ctx.principal();
    const body = await parseBody(ctx.request, createApiTokenBodySchema);
    return json(await createApiToken(ctx.services, principal, body), 201);
  }),

  /** Revokes the token; returns its ApiTokenInfo. */
  route("DELETE", "/api/v1/tokens/:id", async (ctx) => {
    const principal = await ctx.principal();
    const revoked = await revokeApiToken(ctx.services, principal, ctx.params.id ?? "");
    ctx.deps.hub.disconnectCredential(revoked.id);
    return json(revoked);
  }),
];
