import { z } from "zod";
import { roleSchema } from "./auth";

/**
 * User management (admins) and a user's own password. A reset gives either a one-time password the
 * user must change at the next sign-in, or an invite link (a one-time token with an expiry) on which
 * the user chooses a password.
 */

/** What a new password must be: long enough to resist guessing, short enough to hash cheaply. */
export const newPasswordSchema = z
  .string()
  .min(10, "a password needs at least 10 characters")
  .max(256, "a password has at most 256 characters");

const emailSchema = z
  .string()
  .trim()
  .min(3, "email is required")
  .max(254)
  .regex(/^[^\s@]+@[^\s@]+$/, "not an e-mail address")
  .transform((e) => e.toLowerCase());

/** A user as an admin sees it. */
export const userInfoSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
  /** Signed in with a one-time password that is not changed yet. */
  mustChangePassword: z.boolean(),
  /** An invite link is pending until this time. */
  inviteExpiresAt: z.string().nullable(),
  /** The newest session's last use (sign-ins through the UI or yardctl login). */
  lastSeenAt: z.string().nullable(),
});
export type UserInfo = z.infer<typeof userInfoSchema>;

export const userListSchema = z.object({ users: z.array(userInfoSchema) });
export type UserList = z.infer<typeof userListSchema>;

/** How a new or reset password reaches the user. */
export const credentialDeliverySchema = z.enum(["one_time_password", "invite"]);
export type CredentialDelivery = z.infer<typeof credentialDeliverySchema>;

/** POST /api/v1/users. `password` sets it (no change asked); otherwise `delivery` (default: a one-time password). */
export const createUserBodySchema = z
  .object({
    email: emailSchema,
    role: roleSchema,
    password: newPasswordSchema.optional(),
    delivery: credentialDeliverySchema.optional(),
  })
  .strict()
  .refine((b) => !(b.password && b.delivery), {
    message: "give either password or delivery, not both",
    path: ["delivery"],
  });
export type CreateUserBody = z.infer<typeof createUserBodySchema>;

/** PATCH /api/v1/users/:id: a role, disabled true/false, or both. */
export const updateUserBodySchema = z
  .object({ role: roleSchema.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((b) => b.role !== undefined || b.disabled !== undefined, {
    message: "give role or disabled",
    path: ["role"],
  });
export type UpdateUserBody = z.infer<typeof updateUserBodySchema>;

/** POST /api/v1/users/:id/reset-password. */
export const resetPasswordBodySchema = z
  .object({ delivery: credentialDeliverySchema.default("one_time_password") })
  .strict();
export type ResetPasswordBody = z.infer<typeof resetPasswordBodySchema>;

/**
 * Answer of a create or a reset: the secret is shown here once. `oneTimePassword` for that delivery;
 * `invite` (the link's token, the link and its expiry) for an invite.
 */
export const issuedCredentialSchema = z.object({
  user: userInfoSchema,
  oneTimePassword: z.string().nullable(),
  invite: z.object({ token: z.string(), url: z.string(), expiresAt: z.string() }).nullable(),
});
export type IssuedCredential = z.infer<typeof issuedCredentialSchema>;

/** POST /api/v1/auth/password: the signed-in user's own password. */
export const changePasswordBodySchema = z
  .object({
    currentPassword: z.string().min(1, "currentPassword is required").max(1024),
    newPassword: newPasswordSchema,
  })
  .strict()
  .refine((b) => b.currentPassword !== b.newPassword, {
    message: "the new password must differ from the current one",
    path: ["newPassword"],
  });
export type ChangePasswordBody = z.infer<typeof changePasswordBodySchema>;

/** POST /api/v1/auth/invite: an invite link's token and the password chosen on it; signs in. */
export const acceptInviteBodySchema = z
  .object({ token: z.string().min(1, "token is required").max(200), password: newPasswordSchema })
  .strict();
export type AcceptInviteBody = z.infer<typeof acceptInviteBodySchema>;
