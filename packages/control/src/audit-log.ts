import type { Prisma } from "@switchyard/db";
import type { AuditEvent, AuditPage, AuditQuery } from "@switchyard/protocol";
import type { Db, ServiceContext } from "./context";
import { DomainError } from "./errors";
import { byIdOrName } from "./id-or-name";
import type { Principal } from "./principal";

/**
 * The audit view: entries newest first, filtered by who, what kind, the host, network, address or
 * object they concern and a time range, paged by a cursor (the last entry's time and id, so a page
 * never repeats or skips entries written meanwhile). Every signed-in user may read it.
 */
export async function listAudit(
  ctx: ServiceContext,
  _principal: Principal,
  query: AuditQuery,
): Promise<AuditPage> {
  const and: Prisma.AuditEventWhereInput[] = [];
  if (query.actor) {
    and.push({ OR: [{ actorName: { equals: query.actor, mode: "insensitive" } }, { actorId: query.actor }] });
  }
  if (query.kind) and.push({ OR: [{ action: query.kind }, { action: { startsWith: `${query.kind}.` } }] });
  if (query.host) and.push({ hostId: await idOf(ctx.prisma, "host", query.host) });
  if (query.network) and.push({ networkId: await idOf(ctx.prisma, "network", query.network) });
  if (query.address) and.push({ address: query.address });
  if (query.target) and.push({ targetId: query.target });
  if (query.from) and.push({ at: { gte: new Date(query.from) } });
  if (query.to) and.push({ at: { lt: new Date(query.to) } });
  if (query.cursor) {
    const { at, id } = decodeCursor(query.cursor);
    and.push({ OR: [{ at: { lt: at } }, { at, id: { lt: id } }] });
  }
  const rows = await ctx.prisma.auditEvent.findMany({
    where: { AND: and },
    orderBy: [{ at: "desc" }, { id: "desc" }],
    take: query.limit + 1,
  });
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    events: page.map(toAuditEventDto),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.at, last.id) : null,
  };
}

type Row = Prisma.AuditEventModel;

function toAuditEventDto(row: Row): AuditEvent {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actor: { type: row.actorType, id: row.actorId, name: row.actorName },
    action: row.action,
    targetType: row.targetType,
    targetId: row.targetId,
    reason: row.reason,
    details: row.details ?? null,
    hostId: row.hostId,
    networkId: row.networkId,
    address: row.address,
  };
}

/** A host or network named by id or name; an unknown one is taken as an id (a deleted network's entries stay). */
async function idOf(db: Db, kind: "host" | "network", idOrName: string): Promise<string> {
  const where = byIdOrName(idOrName);
  const found =
    kind === "host"
      ? await db.host.findFirst({ where, select: { id: true } })
      : await db.network.findFirst({ where, select: { id: true } });
  return found?.id ?? idOrName;
}

const encodeCursor = (at: Date, id: string) => Buffer.from(`${at.toISOString()}|${id}`).toString("base64url");

function decodeCursor(cursor: string): { at: Date; id: string } {
  const [time, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const at = new Date(time ?? "");
  if (!id || Number.isNaN(at.getTime())) {
    throw new DomainError(
      "validation_failed",
      "query.cursor: not a cursor from a previous page",
      "query.cursor",
    );
  }
  return { at, id };
}
