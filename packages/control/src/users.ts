import type { Role, User as UserDto } from "@switchyard/protocol";
import { recordAudit, systemActor } from "./audit";
import type { ServiceContext } from "./context";
import { DomainError } from "./errors";
import type { User } from "./models";
import { burnPasswordCheck, hashPassword, verifyPassword } from "./passwords";
import { generatePassword } from "./secrets";

export const DEFAULT_ADMIN_EMAIL = "admin@switchyard.local";

export function toUserDto(user: Pick<User, "id" | "email" | "role" | "mustChangePassword">): UserDto {
  return { id: user.id, email: user.email, role: user.role, mustChangePassword: user.mustChangePassword };
}

export interface BootstrapAdminResult {
  /** false when users already existed (nothing was done). */
  created: boolean;
  email: string;
  /** Set only when the password was generated here: print it once, it is never shown again. */
  oneTimePassword: string | null;
}

/**
 * On first start (no users at all) creates the admin account, with `password` when configured or a
 * generated one-time password the caller prints. Safe to run from several replicas at once.
 */
export async function bootstrapAdmin(
  ctx: ServiceContext,
  options: { email?: string; password?: string | null } = {},
): Promise<BootstrapAdminResult> {
  const email = (options.email ?? DEFAULT_ADMIN_EMAIL).toLowerCase();
  if ((await ctx.prisma.user.count()) > 0) return { created: false, email, oneTimePassword: null };
  const generated = options.password ? null : generatePassword();
  const passwordHash = await hashPassword(options.password || (generated as string));
  try {
    await ctx.prisma.$transaction(async (tx) => {
      // Serialise concurrent bootstraps (several replicas starting together).
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(727001)`;
      if ((await tx.user.count()) > 0) throw new AlreadyBootstrapped();
      const user = await tx.user.create({ data: { email, passwordHash, role: "admin" } });
      await recordAudit(tx, {
        actor: systemActor,
        action: "user.bootstrap_admin",
        targetType: "user",
        targetId: user.id,
        details: { email, generatedPassword: generated !== null },
        at: ctx.now(),
      });
    });
  } catch (err) {
    if (err instanceof AlreadyBootstrapped) return { created: false, email, oneTimePassword: null };
    throw err;
  }
  return { created: true, email, oneTimePassword: generated };
}

class AlreadyBootstrapped extends Error {}

/**
 * Checks an e-mail and password; the same error (and the same time) for an unknown user or a wrong
 * password. A disabled account is told so only after the right password (it reveals nothing else).
 */
export async function verifyCredentials(ctx: ServiceContext, email: string, password: string): Promise<User> {
  const user = await ctx.prisma.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user) {
    await burnPasswordCheck(password);
    throw new DomainError("unauthorized", "invalid email or password");
  }
  if (!(await verifyPassword(user.passwordHash, password))) {
    throw new DomainError("unauthorized", "invalid email or password");
  }
  if (user.disabledAt) throw new DomainError("forbidden", "this account is disabled; ask an admin");
  return user;
}

/** Creates a user with a known password (tests; admins go through user-admin.ts). */
export async function createUser(
  ctx: ServiceContext,
  input: { email: string; password: string; role: Role },
): Promise<User> {
  const email = input.email.trim().toLowerCase();
  if (await ctx.prisma.user.findUnique({ where: { email } })) {
    throw new DomainError("conflict", `a user with email ${email} already exists`, "email");
  }
  return ctx.prisma.user.create({
    data: { email, passwordHash: await hashPassword(input.password), role: input.role },
  });
}
