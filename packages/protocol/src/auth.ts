import { z } from "zod";

export const roleSchema = z.enum(["admin", "operator", "viewer"]);
export type Role = z.infer<typeof roleSchema>;

export const signInBodySchema = z.object({
  email: z.string().min(1, "email is required").max(254),
  password: z.string().min(1, "password is required").max(1024),
});
export type SignInBody = z.infer<typeof signInBodySchema>;

export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
});
export type User = z.infer<typeof userSchema>;

export const createApiTokenBodySchema = z.object({
  name: z.string().min(1, "name is required").max(100),
});
export type CreateApiTokenBody = z.infer<typeof createApiTokenBodySchema>;

export const apiTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiTokenInfo = z.infer<typeof apiTokenSchema>;

/** Returned once, at creation: the secret is never shown again. */
export const createdApiTokenSchema = apiTokenSchema.extend({ token: z.string() });
export type CreatedApiToken = z.infer<typeof createdApiTokenSchema>;

export const apiTokenListSchema = z.object({ tokens: z.array(apiTokenSchema) });

export const signInResponseSchema = z.object({ user: userSchema });
/** sign-out always answers this, session or not. */
export const okSchema = z.object({ ok: z.literal(true) });
