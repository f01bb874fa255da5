import { z } from "zod";
import { nextCursorSchema } from "./paging";

export const roleSchema = z.enum(["admin", "operator", "viewer"]);
export type Role = z.infer<typeof roleSchema>;

/** viewer reads; operator changes hosts, networks and addresses; admin also manages users. */
export const roleRank: Readonly<Record<Role, number>> = { viewer: 0, operator: 1, admin: 2 };

export const signInBodySchema = z.object({
  email: z.string().min(1, "email is required").max(254),
  password: z.string().min(1, "password is required").max(1024),
});
export type SignInBody = z.infer<typeof signInBodySchema>;

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  /** Signed in with a one-time password: only changing it (POST /auth/password) is allowed until then. */
  mustChangePassword: z.boolean().default(false),
});
export type User = z.infer<typeof userSchema>;

/** `read_only`: the token may call GET routes only (a 403 naming the scope otherwise). */
export const apiTokenScopeSchema = z.enum(["full", "read_only"]);
export type ApiTokenScope = z.infer<typeof apiTokenScopeSchema>;

export const createApiTokenBodySchema = z
  .object({
    name: z.string().min(1, "name is required").max(100),
    /** Refused from this time on (ISO 8601, in the future); omitted: never expires. */
    expiresAt: z.iso.datetime({ offset: true, message: "an ISO 8601 time" }).optional(),
    scope: apiTokenScopeSchema.default("full"),
  })
  .strict();
export type CreateApiTokenBody = z.infer<typeof createApiTokenBodySchema>;

export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  expiresAt: z.string().nullable().default(null),
  scope: apiTokenScopeSchema.default("full"),
});
export type ApiTokenInfo = z.infer<typeof apiTokenSchema>;

/** Returned once, at creation: the secret is never shown again. */
export const createdApiTokenSchema = apiTokenSchema.extend({ token: z.string() });
export type CreatedApiToken = z.infer<typeof createdApiTokenSchema>;

export const apiTokenListSchema = z.object({ tokens: z.array(apiTokenSchema), nextCursor: nextCursorSchema });

export const signInResponseSchema = z.object({ user: userSchema });
/** sign-out always answers this, session or not. */
export const okSchema = z.object({ ok: z.literal(true) });
