import type { Prisma } from "@switchyard/db";
import type { Attachment, AttachmentStatus } from "@switchyard/protocol";
import type { Db, ServiceContext } from "../context";
import { notFound } from "../errors";
import { byIdOrName } from "../id-or-name";
import { attachmentInclude, toAttachmentDto } from "./dto";

export interface AttachmentQuery {
  /** Host id or name. */
  host?: string | undefined;
  /** Network id or name. */
  network?: string | undefined;
  status?: AttachmentStatus | undefined;
  /** Include detached ones (history). */
  all?: boolean | undefined;
  limit?: number | undefined;
}

/** Attachments, newest first; detached ones only with `all` (or status=detached). */
export async function listAttachments(
  ctx: ServiceContext,
  query: AttachmentQuery = {},
): Promise<Attachment[]> {
  const where: Prisma.AttachmentWhereInput = {
    ...(query.host ? { host: byIdOrName(query.host) } : {}),
    ...(query.network ? { network: byIdOrName(query.network) } : {}),
    ...(query.status ? { status: query.status } : query.all ? {} : { status: { not: "detached" as const } }),
  };
  const rows = await ctx.prisma.attachment.findMany({
    where,
    include: attachmentInclude,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: Math.min(query.limit ?? 1000, 10_000),
  });
  return rows.map(toAttachmentDto);
}

export async function getAttachment(ctx: ServiceContext, id: string): Promise<Attachment> {
  return toAttachmentDto(await findAttachment(ctx.prisma, id));
}

export async function findAttachment(db: Db, id: string) {
  const row = await db.attachment.findUnique({ where: { id }, include: attachmentInclude });
  if (!row) throw notFound(`attachment ${id}`, "id");
  return row;
}

export async function attachmentsByIds(db: Db, ids: readonly string[]): Promise<Attachment[]> {
  if (ids.length === 0) return [];
  const rows = await db.attachment.findMany({ where: { id: { in: [...ids] } }, include: attachmentInclude });
  return rows.map(toAttachmentDto);
}
