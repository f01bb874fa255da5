import type { Prisma } from "@switchyard/db";
import type { Operation, OperationListQuery } from "@switchyard/protocol";
import type { Db, ServiceContext } from "../context";
import { notFound } from "../errors";
import { byIdOrName } from "../id-or-name";
import { operationInclude, toOperationDto } from "./dto";

/** Operations, latest first. `host` and `network` take ids or names. */
export async function listOperations(
  ctx: ServiceContext,
  query: Partial<OperationListQuery> = {},
): Promise<Operation[]> {
  const where: Prisma.OperationWhereInput = {
    ...(query.host ? { host: byIdOrName(query.host) } : {}),
    ...(query.network ? { attachment: { network: byIdOrName(query.network) } } : {}),
    ...(query.attachment ? { attachmentId: query.attachment } : {}),
    ...(query.status ? { status: query.status } : {}),
    ...(query.kind ? { kind: query.kind } : {}),
  };
  const rows = await ctx.prisma.operation.findMany({
    where,
    include: operationInclude,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(query.limit ?? 100, 1000),
  });
  return rows.map(toOperationDto);
}

export async function getOperation(ctx: ServiceContext, id: string): Promise<Operation> {
  return toOperationDto(await findOperation(ctx.prisma, id));
}

export async function findOperation(db: Db, id: string) {
  const row = await db.operation.findUnique({ where: { id }, include: operationInclude });
  if (!row) throw notFound(`operation ${id}`, "id");
  return row;
}

/** Operations by id, as DTOs (for broadcasting changes). */
export async function operationsByIds(db: Db, ids: readonly string[]): Promise<Operation[]> {
  if (ids.length === 0) return [];
  const rows = await db.operation.findMany({
    where: { id: { in: [...ids] } },
    include: operationInclude,
    orderBy: { createdAt: "asc" },
  });
  return rows.map(toOperationDto);
}
