import {
  type CreatedHost,
  type CreateHostBody,
  type HostDetail,
  type HostList,
  type HostPage,
  type HostSummary,
  type Inventory,
  inventorySchema,
  type PageQuery,
  type TopologyPage,
} from "@switchyard/protocol";
import { type Actor, recordAudit } from "./audit";
import type { Db, ServiceContext } from "./context";
import { DomainError, notFound } from "./errors";
import { byIdOrName } from "./id-or-name";
import type { Host, HostInventory } from "./models";
import { byNamePage, firstPage, nameKey, pageOf } from "./paging";
import { generateSecret, hashSecret, SecretPrefix } from "./secrets";

export function toHostSummary(host: Host): HostSummary {
  return {
    id: host.id,
    name: host.name,
    description: host.description,
    status: host.status,
    hostname: host.hostname,
    agentVersion: host.agentVersion,
    lastSeenAt: host.lastSeenAt?.toISOString() ?? null,
    createdAt: host.createdAt.toISOString(),
    revokedAt: host.revokedAt?.toISOString() ?? null,
  };
}

export function toHostDetail(host: Host & { inventory: HostInventory | null }): HostDetail {
  // Stored snapshots were validated on the way in; parse again so a schema change cannot leak garbage.
  const parsed = host.inventory ? inventorySchema.safeParse(host.inventory.snapshot) : null;
  const inventory: Inventory | null = parsed?.success ? parsed.data : null;
  return {
    ...toHostSummary(host),
    inventory,
    inventoryReceivedAt: host.inventory?.receivedAt.toISOString() ?? null,
  };
}

/** Creates a host in state `pending` and its one-time enrollment token (returned here only). */
export async function createHost(
  ctx: ServiceContext,
  actor: Actor,
  input: CreateHostBody,
  options: { enrollmentTtlMs: number },
): Promise<CreatedHost> {
  const now = ctx.now();
  const token = generateSecret(SecretPrefix.enrollment);
  const expiresAt = new Date(now.getTime() + options.enrollmentTtlMs);
  const host = await ctx.prisma.$transaction(async (tx) => {
    if (await tx.host.findUnique({ where: { name: input.name } })) {
      throw new DomainError("conflict", `a host named ${input.name} already exists`, "name");
    }
    const created = await tx.host.create({
      data: { name: input.name, description: input.description ?? null, createdAt: now },
    });
    await tx.enrollmentToken.create({
      data: { hostId: created.id, tokenHash: hashSecret(token), createdAt: now, expiresAt },
    });
    await recordAudit(tx, {
      actor,
      action: "host.create",
      targetType: "host",
      targetId: created.id,
      details: { name: input.name },
      at: now,
    });
    return created;
  });
  return { host: toHostSummary(host), enrollment: { token, expiresAt: expiresAt.toISOString() } };
}

/** Issues a fresh enrollment token for an existing host (e.g. the first one expired); older unused ones stop working. */
export async function issueEnrollmentToken(
  ctx: ServiceContext,
  actor: Actor,
  idOrName: string,
  options: { enrollmentTtlMs: number },
): Promise<CreatedHost> {
  const now = ctx.now();
  const token = generateSecret(SecretPrefix.enrollment);
  const expiresAt = new Date(now.getTime() + options.enrollmentTtlMs);
  const host = await ctx.prisma.$transaction(async (tx) => {
    const host = await findHost(tx, idOrName);
    if (host.status === "revoked") throw new DomainError("conflict", `host ${host.name} is revoked`);
    await tx.enrollmentToken.updateMany({
      where: { hostId: host.id, usedAt: null, expiresAt: { gt: now } },
      data: { expiresAt: now },
    });
    await tx.enrollmentToken.create({
      data: { hostId: host.id, tokenHash: hashSecret(token), createdAt: now, expiresAt },
    });
    await recordAudit(tx, {
      actor,
      action: "host.issue_enrollment_token",
      targetType: "host",
      targetId: host.id,
      at: now,
    });
    return host;
  });
  return { host: toHostSummary(host), enrollment: { token, expiresAt: expiresAt.toISOString() } };
}

/** A host by id or by name; not_found otherwise. */
export async function findHost(db: Db, idOrName: string): Promise<Host> {
  const host = await db.host.findFirst({ where: byIdOrName(idOrName) });
  if (!host) throw notFound(`host ${idOrName}`);
  return host;
}

/** One page of hosts by name. */
export async function listHosts(ctx: ServiceContext, page: PageQuery = firstPage): Promise<HostList> {
  const { items, nextCursor } = pageOf(await ctx.prisma.host.findMany(byNamePage(page)), page.limit, nameKey);
  return { hosts: items.map(toHostSummary), nextCursor };
}

export async function getHost(ctx: ServiceContext, idOrName: string): Promise<HostPage> {
  const host = await ctx.prisma.host.findFirst({
    where: byIdOrName(idOrName),
    include: { inventory: true },
  });
  if (!host) throw notFound(`host ${idOrName}`);
  const [counts] = await ctx.prisma.$queryRaw<{ active: number; revoked: number; lastUsedAt: Date | null }[]>`
    SELECT count(*) FILTER (WHERE "revokedAt" IS NULL)::int AS "active",
      count(*) FILTER (WHERE "revokedAt" IS NOT NULL)::int AS "revoked", max("lastUsedAt") AS "lastUsedAt"
    FROM "HostCredential" WHERE "hostId" = ${host.id}`;
  return {
    ...toHostDetail(host),
    credentials: {
      active: counts?.active ?? 0,
      revoked: counts?.revoked ?? 0,
      lastUsedAt: counts?.lastUsedAt?.toISOString() ?? null,
    },
  };
}

export async function getHostSummary(ctx: ServiceContext, id: string): Promise<HostSummary> {
  return toHostSummary(await findHost(ctx.prisma, id));
}

/** Every host with its latest inventory, one page by name (the map reads the fleet summary instead). */
export async function getTopology(ctx: ServiceContext, page: PageQuery = firstPage): Promise<TopologyPage> {
  const rows = await ctx.prisma.host.findMany({ ...byNamePage(page), include: { inventory: true } });
  const { items, nextCursor } = pageOf(rows, page.limit, nameKey);
  return { hosts: items.map(toHostDetail), generatedAt: ctx.now().toISOString(), nextCursor };
}

/**
 * Revokes a host: its credentials and unused enrollment tokens stop working at once. The caller
 * disconnects the agent's live socket (see the hub).
 */
export async function revokeHost(
  ctx: ServiceContext,
  actor: Actor,
  idOrName: string,
  reason?: string | null,
): Promise<HostSummary> {
  const now = ctx.now();
  return ctx.prisma.$transaction(async (tx) => {
    const host = await findHost(tx, idOrName);
    if (host.status === "revoked") throw new DomainError("conflict", `host ${host.name} is already revoked`);
    const revoked = await tx.host.update({
      where: { id: host.id },
      data: { status: "revoked", revokedAt: now },
    });
    const credentials = await tx.hostCredential.updateMany({
      where: { hostId: host.id, revokedAt: null },
      data: { revokedAt: now },
    });
    await tx.enrollmentToken.updateMany({
      where: { hostId: host.id, usedAt: null, expiresAt: { gt: now } },
      data: { expiresAt: now },
    });
    await recordAudit(tx, {
      actor,
      action: "host.revoke",
      targetType: "host",
      targetId: host.id,
      reason: reason ?? null,
      details: { name: host.name, credentialsRevoked: credentials.count },
      at: now,
    });
    return toHostSummary(revoked);
  });
}
