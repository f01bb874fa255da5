import type { ApiTokenInfo, ApiTokenScope, CreatedApiToken, PageQuery, Role } from "@switchyard/protocol";
import { recordAudit } from "./audit";
import type { ServiceContext } from "./context";
import { DomainError, notFound } from "./errors";
import type { ApiToken } from "./models";
import { badCursor, cursorKey, firstPage, pageOf } from "./paging";
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
    expiresAt: token.expiresAt?.toISOString() ?? null,
    scope: token.scope,
  };
}

/**
 * Creates an API token for the caller; the secret is returned here and never again. A token never
 * has more rights than the credential that creates it: a read-only token cannot mint a full one (the
 * edge refuses its POST anyway), and an expiry must lie in the future.
 */
export async function createApiToken(
  ctx: ServiceContext,
  principal: Principal,
  input: { name: string; expiresAt?: string | undefined; scope?: ApiTokenScope | undefined },
): Promise<CreatedApiToken> {
  const secret = generateSecret(SecretPrefix.apiToken);
  const now = ctx.now();
  const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
  if (expiresAt && expiresAt <= now) {
    throw new DomainError("validation_failed", "expiresAt: must be in the future", "expiresAt");
  }
  const scope: ApiTokenScope = principal.scope === "read_only" ? "read_only" : (input.scope ?? "full");
  const token = await ctx.prisma.$transaction(async (tx) => {
    const created = await tx.apiToken.create({
      data: {
        name: input.name,
        prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
        tokenHash: hashSecret(secret),
        userId: principal.user.id,
        createdAt: now,
        expiresAt,
        scope,
      },
    });
    await recordAudit(tx, {
      actor: actorOf(principal),
      action: "api_token.create",
      targetType: "api_token",
      targetId: created.id,
      details: { name: input.name, scope, expiresAt: expiresAt?.toISOString() ?? null },
      at: now,
    });
    return created;
  });
  return { ...toApiTokenInfo(token), token: secret };
}

/** One page of the caller's own tokens, newest first (revoked ones included, marked). */
export async function listApiTokens(
  ctx: ServiceContext,
  principal: Principal,
  page: PageQuery = firstPage,
): Promise<{ tokens: ApiTokenInfo[]; nextCursor: string | null }> {
  const rows = await ctx.prisma.apiToken.findMany({
    where: { userId: principal.user.id, ...(page.cursor === undefined ? {} : olderThan(page.cursor)) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: page.limit + 1,
  });
  const { items, nextCursor } = pageOf(rows, page.limit, (t) => [t.createdAt.toISOString(), t.id]);
  return { tokens: items.map(toApiTokenInfo), nextCursor };
}

/** Tokens after the cursor's (createdAt, id) in newest-first order. */
function olderThan(cursor: string) {
  const [time = "", id = ""] = cursorKey(cursor, 2);
  const at = new Date(time);
  if (Number.isNaN(at.getTime())) throw badCursor();
  return { OR: [{ createdAt: { lt: at } }, { createdAt: at, id: { lt: id } }] };
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

/**
 * The principal behind a bearer token, or null when it is unknown, revoked, expired or its user is
 * disabled. Asked on every API request, so it is one indexed read (token and user together) and no
 * cache: a revoked token stops working at the next request, on every replica. `lastUsedAt` is
 * written at most once a minute.
 */
export async function resolveApiToken(ctx: ServiceContext, secret: string): Promise<Principal | null> {
  if (!secret.startsWith(SecretPrefix.apiToken)) return null;
  const now = ctx.now();
  const at = (d: Date) => d.toISOString();
  const staleBefore = at(new Date(now.getTime() - 60_000));
  const rows = await ctx.prisma.$queryRaw<
    {
      id: string;
      userId: string;
      email: string;
      role: Role;
      mustChangePassword: boolean;
      scope: ApiTokenScope;
      touch: boolean;
    }[]
  >`
    SELECT t."id", u."id" AS "userId", u."email", u."role"::text AS "role", u."mustChangePassword",
      t."scope"::text AS "scope",
      (t."lastUsedAt" IS NULL OR t."lastUsedAt" < (${staleBefore}::timestamptz AT TIME ZONE 'UTC')) AS "touch"
    FROM "ApiToken" t JOIN "User" u ON u."id" = t."userId"
    WHERE t."tokenHash" = ${hashSecret(secret)} AND t."revokedAt" IS NULL AND u."disabledAt" IS NULL
      AND (t."expiresAt" IS NULL OR t."expiresAt" > (${at(now)}::timestamptz AT TIME ZONE 'UTC'))`;
  const token = rows[0];
  if (!token) return null;
  if (token.touch) {
    await ctx.prisma.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
  }
  return {
    user: toUserDto({
      id: token.userId,
      email: token.email,
      role: token.role,
      mustChangePassword: token.mustChangePassword,
    }),
    via: "token",
    credentialId: token.id,
    scope: token.scope,
  };
}
