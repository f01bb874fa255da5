import type { ReconcileEventQuery, ReconcileEventRecord } from "@switchyard/protocol";
import type { ServiceContext } from "../context";

const ACTIONS = { "reconcile.repaired": "repaired", "reconcile.error": "error" } as const;

/**
 * Drift repaired and endpoints failed, as agents reported them (recorded in the audit log by
 * applyDesiredStateResult), newest first, optionally of one host (by name, or by id: the indexed column).
 */
export async function listReconcileEvents(
  ctx: ServiceContext,
  query: ReconcileEventQuery & { hostId?: string },
): Promise<ReconcileEventRecord[]> {
  const rows = await ctx.prisma.auditEvent.findMany({
    where: {
      action: { in: Object.keys(ACTIONS) },
      ...(query.host ? { details: { path: ["host"], equals: query.host } } : {}),
      ...(query.hostId ? { hostId: query.hostId } : {}),
    },
    orderBy: { at: "desc" },
    take: query.limit,
  });
  return rows.map((row) => {
    const details = (row.details ?? {}) as { message?: unknown; host?: unknown; serial?: unknown };
    return {
      id: row.id,
      at: row.at.toISOString(),
      kind: ACTIONS[row.action as keyof typeof ACTIONS],
      hostName: typeof details.host === "string" ? details.host : "?",
      attachmentId: row.targetType === "attachment" ? row.targetId : null,
      serial: typeof details.serial === "number" ? details.serial : null,
      message: typeof details.message === "string" ? details.message : row.action,
    };
  });
}
