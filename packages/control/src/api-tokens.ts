import type { ApiTokenInfo, CreatedApiToken } from "@switchyard/protocol";
import { recordAudit } from "./audit";
import type { ServiceContext } from "./context";
import { DomainError, notFound } from "./errors";
import type { ApiToken } from "./models";
import { actorOf, type Principal } from "./principal";
import { generateSecret, hashSecret, SecretPrefix } from "./secrets";
import { toUserDto } from "./users";

/** Characters of the token kept in clear so listings can tell tokens apart. */
const SHOWN_PREFIX_LENGTH = SecretPrefix.apiToken.length + 6;

export function toApiTokenInfo(token: ApiToken): ApiTokenInfo {
  return {
    id: token.id,
    name: token.name,
    prefix: token.prefix,
    createdAt: token.createdAt.toISOString(),
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
  };
}

/** Creates an API token for the caller; the secret is returned here and never again. */
export async function createApiToken(
  ctx: ServiceContext,
  principal: Principal,
  input: { name: string },
): Promise<CreatedApiToken> {
  const secret = generateSecret(SecretPrefix.apiToken);
  const now = ctx.now();
  const token = await ctx.prisma.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: {
        name: input.name,
        prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
        tokenHash: hashSecret(secret),
        userId: principal.user.id,
        createdAt: now,
      },
    });
    await recordAudit(tx, {
      actor: actorOf(principal),
      action: "api_token.create",
      targetType: "api_token",
      targetId: created.id,
      details: { name: input.name },
      at: now,
    });
    return created;
  });
  return { ...toApiTokenInfo(token), token: secret };
}

/** The caller's own tokens, newest first (revoked ones included, marked). */
export async function listApiTokens(ctx: ServiceContext, principal: Principal): Promise<ApiTokenInfo[]> {
  const tokens = await ctx.prisma.apiToken.findMany({
    where: { userId: principal.user.id },
    orderBy: { createdAt: "desc" },
  });
  return tokens.map(toApiTokenInfo);
}

/** Revokes one of the caller's tokens (an admin may revoke anyone's). */
export async function revokeApiToken(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
): Promise<ApiTokenInfo> {
  const now = ctx.now();
  return ctx.prisma.$transaction(async (tx) => {
    const token = await tx.apiToken.findUnique({ where: { id } });
    if (!token || (token.userId !== principal.user.id && principal.user.role !== "admin")) {
      throw notFound(`API token ${id}`, "id");
    }
    if (token.revokedAt) throw new DomainError("conflict", `API token ${token.name} is already revoked`);
    const revoked = await tx.apiToken.update({ where: { id }, data: { revokedAt: now } });
    await recordAudit(tx, {
      actor: actorOf(principal),
      action: "api_token.revoke",
      targetType: "api_token",
      targetId: id,
      details: { name: token.name },
      at: now,
    });
    return toApiTokenInfo(revoked);
  });
}

/** The principal behind a bearer token, or null when it is unknown or revoked. */
export async function resolveApiToken(ctx: ServiceContext, secret: string): Promise<Principal | null> {
  if (!secret.startsWith(SecretPrefix.apiToken)) return null;
  const token = await ctx.prisma.apiToken.findUnique({
    where: { tokenHash: hashSecret(secret) },
    include: { user: true },
  });
  if (!token || token.revokedAt) return null;
  const now = ctx.now();
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > 60_000) {
    await ctx.prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
  }
  return { user: toUserDto(token.user), via: "token", credentialId: token.id };
}
