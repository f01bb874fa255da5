import {
  createUserAccount,
  deleteUser,
  getUser,
  listUsers,
  resetUserPassword,
  updateUser,
} from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import type { RequestContext } from "../context";
import { implement } from "../implement";
import type { Route } from "../router";

const DEFAULT_INVITE_TTL_MS = 72 * 3_600_000;

/** Invite links point at PUBLIC_URL, or at the host the admin reached this server at. */
const inviteOptions = (ctx: RequestContext) => ({
  publicUrl: ctx.deps.config.publicUrl ?? `http://${ctx.request.headers.get("host") ?? ctx.url.host}`,
  inviteTtlMs: ctx.deps.config.inviteTtlMs ?? DEFAULT_INVITE_TTL_MS,
});

/** Sessions and tokens a change ended: their browser sockets close on every replica. */
const disconnect = (ctx: RequestContext, credentialIds: readonly string[]) => {
  for (const id of credentialIds) ctx.deps.hub.disconnectCredential(id);
};

// Admin only (the contract's access); the last-admin rule lives in the service.
export const userRoutes: Route[] = [
  implement(apiRoutes.listUsers, async (ctx, { principal }) => ({
    users: await listUsers(ctx.services, principal),
  })),

  implement(apiRoutes.createUser, (ctx, { principal, body }) =>
    createUserAccount(ctx.services, principal, body, inviteOptions(ctx)),
  ),

  implement(apiRoutes.getUser, (ctx, { principal, params }) => getUser(ctx.services, principal, params.id)),

  implement(apiRoutes.updateUser, async (ctx, { principal, params, body }) => {
    const change = await updateUser(ctx.services, principal, params.id, body);
    disconnect(ctx, change.endedCredentialIds);
    return change.user;
  }),

  implement(apiRoutes.deleteUser, async (ctx, { principal, params }) => {
    const change = await deleteUser(ctx.services, principal, params.id);
    disconnect(ctx, change.endedCredentialIds);
    return change.user;
  }),

  implement(apiRoutes.resetUserPassword, async (ctx, { principal, params, body }) => {
    const { endedCredentialIds, ...issued } = await resetUserPassword(
      ctx.services,
      principal,
      params.id,
      body.delivery,
      inviteOptions(ctx),
    );
    disconnect(ctx, endedCredentialIds);
    return issued;
  }),
];
