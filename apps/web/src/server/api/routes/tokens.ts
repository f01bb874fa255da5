import { createApiToken, listApiTokens, revokeApiToken } from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import { implement } from "../implement";
import type { Route } from "../router";

// Every signed-in user (viewers too) manages their own API tokens: a token never has more rights
// than its user.
export const tokenRoutes: Route[] = [
  implement(apiRoutes.listTokens, (ctx, { principal, query }) =>
    listApiTokens(ctx.services, principal, query),
  ),

  implement(apiRoutes.createToken, (ctx, { principal, body }) =>
    createApiToken(ctx.services, principal, body),
  ),

  implement(apiRoutes.revokeToken, async (ctx, { principal, params }) => {
    const revoked = await revokeApiToken(ctx.services, principal, params.id);
    ctx.deps.hub.disconnectCredential(revoked.id);
    return revoked;
  }),
];
