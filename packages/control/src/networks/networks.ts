import { Prisma } from "@switchyard/db";
import { canonicalAddress, formatCidr, parseCidr } from "@switchyard/ipam";
import {
  ACTIVE_ATTACHMENT_STATUSES,
  type CreateNetworkInput,
  createNetworkBodySchema,
  DEFAULT_BRIDGE_NAMES,
  defaultVxlanBridge,
  type Network,
  type NetworkList,
  type PageQuery,
} from "@switchyard/protocol";
import { type Actor, actorLabel, recordAudit } from "../audit";
import type { Db, ServiceContext } from "../context";
import { DomainError, notFound, validationError } from "../errors";
import { byIdOrName } from "../id-or-name";
import { byNamePage, firstPage, nameKey, pageOf } from "../paging";
import { type NetworkWithOverrides, networkInclude, toNetworkDto } from "./dto";
import { dropUnusedPool, findOrCreateSubnetPool } from "./pool";
import { segmentClashOnAnyHost } from "./segments";

/** A network by id or name (not_found naming `field`). */
export async function findNetwork(
  db: Db,
  idOrName: string,
  field = "network",
): Promise<NetworkWithOverrides> {
  const row = await db.network.findFirst({
    where: byIdOrName(idOrName),
    include: networkInclude,
  });
  if (!row) throw notFound(`network ${idOrName}`, field);
  return row;
}

async function toDtos(db: Db, rows: NetworkWithOverrides[]): Promise<Network[]> {
  if (rows.length === 0) return [];
  const pools = await db.addressPool.findMany({
    where: { id: { in: [...new Set(rows.map((r) => r.poolId))] } },
    select: { id: true, name: true },
  });
  const counts = await db.attachment.groupBy({
    by: ["networkId"],
    where: { networkId: { in: rows.map((r) => r.id) }, status: { in: [...ACTIVE_ATTACHMENT_STATUSES] } },
    _count: { _all: true },
  });
  const poolName = new Map(pools.map((p) => [p.id, p.name]));
  const count = new Map(counts.map((c) => [c.networkId, c._count._all]));
  return rows.map((r) => toNetworkDto(r, poolName.get(r.poolId) ?? r.poolId, count.get(r.id) ?? 0));
}

/** One page of networks by name. */
export async function listNetworks(ctx: ServiceContext, page: PageQuery = firstPage): Promise<NetworkList> {
  const rows = await ctx.prisma.network.findMany({ ...byNamePage(page), include: networkInclude });
  const { items, nextCursor } = pageOf(rows, page.limit, nameKey);
  return { networks: await toDtos(ctx.prisma, items), nextCursor };
}

export async function getNetwork(ctx: ServiceContext, idOrName: string): Promise<Network> {
  const [dto] = await toDtos(ctx.prisma, [await findNetwork(ctx.prisma, idOrName, "id")]);
  return dto as Network;
}

/** Serializes network creation so the L2-segment checks see every committed network. */
const NETWORKS_LOCK_KEY = 727_003;

/**
 * Creates a network: validates the body (again, so the service is safe without the HTTP edge), resolves
 * per-host overrides (host id or name), refuses a second network on the same L2 segment with an
 * overlapping subnet (409), and binds the subnet to its IPAM pool (found or created by CIDR).
 */
export async function createNetwork(
  ctx: ServiceContext,
  actor: Actor,
  input: CreateNetworkInput,
): Promise<Network> {
  const parsed = createNetworkBodySchema.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error);
  const body = parsed.data;
  const cidr = parseCidr(body.subnet);
  const subnet = formatCidr(cidr);
  const gateway = body.gateway ? canonicalAddress(body.gateway) : null;
  const bridgeName =
    body.driver === "macvlan"
      ? null
      : (body.bridgeName ??
        (body.driver === "vxlan"
          ? defaultVxlanBridge(body.vni as number)
          : DEFAULT_BRIDGE_NAMES[body.driver]));
  if (body.driver === "macvlan" && !body.uplink && Object.keys(body.hostOverrides).length === 0) {
    throw new DomainError(
      "validation_failed",
      "uplink: a macvlan network needs its parent interface (uplink), network-wide or per host in hostOverrides",
      "uplink",
    );
  }

  const hostNames = new Map<string, string>();
  const hostName = (id: string) => hostNames.get(id) ?? id;
  const overrides: {
    hostId: string;
    bridgeName: string | null;
    uplink: string | null;
    underlay: string | null;
  }[] = [];
  for (const [key, o] of Object.entries(body.hostOverrides)) {
    const host = await ctx.prisma.host.findFirst({ where: byIdOrName(key) });
    if (!host)
      throw new DomainError("validation_failed", `hostOverrides: no host ${key}`, `hostOverrides.${key}`);
    hostNames.set(host.id, host.name);
    if (overrides.some((x) => x.hostId === host.id))
      throw new DomainError(
        "validation_failed",
        `hostOverrides: host ${key} named twice`,
        `hostOverrides.${key}`,
      );
    if (o.bridgeName && body.driver === "macvlan")
      throw new DomainError(
        "validation_failed",
        "a macvlan network has no bridge",
        `hostOverrides.${key}.bridgeName`,
      );
    overrides.push({
      hostId: host.id,
      bridgeName: o.bridgeName ?? null,
      uplink: o.uplink ?? null,
      underlay: o.underlayAddress ?? null,
    });
  }

  const candidate = {
    name: body.name,
    driver: body.driver,
    subnet,
    vlan: body.vlan ?? null,
    vni: body.vni ?? null,
    bridgeName,
    uplink: body.uplink ?? null,
  };
  /** Name and L2-segment checks: before the pool is made (so a refused network leaves nothing), and again under the lock. */
  const check = async (db: Db) => {
    if (await db.network.findUnique({ where: { name: body.name }, select: { id: true } }))
      throw new DomainError("conflict", `a network named ${body.name} already exists`, "name");
    const existing = await db.network.findMany({
      select: {
        name: true,
        driver: true,
        subnet: true,
        vlan: true,
        vni: true,
        bridgeName: true,
        uplink: true,
        hostOverrides: {
          select: { hostId: true, bridgeName: true, uplink: true, host: { select: { name: true } } },
        },
      },
    });
    for (const { hostOverrides, ...other } of existing) {
      for (const o of hostOverrides) hostNames.set(o.hostId, o.host.name);
      const clash = segmentClashOnAnyHost(candidate, overrides, other, hostOverrides, hostName);
      if (clash) throw new DomainError("conflict", clash.message, clash.field, { network: other.name });
    }
  };
  await check(ctx.prisma);
  const pool = await findOrCreateSubnetPool(ctx, actor, subnet, gateway);
  const now = ctx.now();
  try {
    const row = await ctx.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${NETWORKS_LOCK_KEY})`;
      await check(tx);
      const created = await tx.network.create({
        data: {
          name: body.name,
          driver: body.driver,
          subnet,
          prefixLength: cidr.prefix,
          gateway,
          vlan: body.vlan ?? null,
          vni: body.vni ?? null,
          vxlanPort: body.driver === "vxlan" ? (body.vxlanPort ?? 4789) : null,
          bridgeName,
          uplink: body.uplink ?? null,
          mtu: body.mtu ?? null,
          poolId: pool.id,
          description: body.description ?? null,
          createdAt: now,
          createdBy: actorLabel(actor),
          hostOverrides: {
            create: overrides.map((o) => ({
              hostId: o.hostId,
              bridgeName: o.bridgeName,
              uplink: o.uplink,
              underlayAddress: o.underlay,
            })),
          },
        },
        include: networkInclude,
      });
      await recordAudit(tx, {
        actor,
        action: "network.create",
        targetType: "network",
        targetId: created.id,
        details: { name: created.name, driver: created.driver, subnet, vlan: created.vlan, vni: created.vni },
        at: now,
      });
      return created;
    });
    const [dto] = await toDtos(ctx.prisma, [row]);
    return dto as Network;
  } catch (err) {
    if (pool.created) await dropUnusedPool(ctx, pool.id).catch(() => undefined);
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      const target = JSON.stringify(err.meta ?? {});
      if (target.includes("vni"))
        throw new DomainError("conflict", `VNI ${body.vni} is already used by another network`, "vni");
      throw new DomainError("conflict", `a network named ${body.name} already exists`, "name");
    }
    throw err;
  }
}

/**
 * Deletes a network that no container is attached to any more (409 naming the live attachments
 * otherwise). Its detached history goes with it; its IPAM pool stays (other networks may share it).
 */
export async function deleteNetwork(
  ctx: ServiceContext,
  actor: Actor,
  idOrName: string,
  reason: string | null = null,
): Promise<Network> {
  const now = ctx.now();
  return ctx.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${NETWORKS_LOCK_KEY})`;
    const row = await findNetwork(tx, idOrName, "id");
    const [dto] = await toDtos(tx, [row]);
    // Lock the network row so an attach in flight (which reads it FOR SHARE) cannot slip in.
    await tx.$queryRaw`SELECT "id" FROM "Network" WHERE "id" = ${row.id} FOR UPDATE`;
    const live = await tx.attachment.findMany({
      where: { networkId: row.id, status: { in: [...ACTIVE_ATTACHMENT_STATUSES] } },
      select: { id: true },
      take: 20,
    });
    if (live.length > 0) {
      throw new DomainError(
        "conflict",
        `network ${row.name} still has ${live.length === 20 ? "20 or more" : live.length} attachment(s); detach them first`,
        "id",
        { attachmentIds: live.map((a) => a.id) },
      );
    }
    await tx.attachment.deleteMany({ where: { networkId: row.id } });
    await tx.network.delete({ where: { id: row.id } });
    await recordAudit(tx, {
      actor,
      action: "network.delete",
      targetType: "network",
      targetId: row.id,
      reason,
      details: { name: row.name, subnet: row.subnet },
      at: now,
    });
    return dto as Network;
  });
}
