import type { Prisma } from "@switchyard/db";
import type { Db } from "./context";

/** Who acts: a signed-in user, a user's API token, an agent, or the control plane itself. */
export interface Actor {
  type: "user" | "token" | "agent" | "system";
  id: string | null;
  name: string | null;
}

export const systemActor: Actor = { type: "system", id: null, name: "system" };

/** How an actor is named in rows that keep a "by" column (allocatedBy, requestedBy, releasedBy, ...). */
export const actorLabel = (actor: Actor): string => actor.name ?? actor.id ?? actor.type;

export interface AuditEntry {
  actor: Actor;
  action: string;
  targetType: string;
  targetId?: string | null;
  reason?: string | null;
  details?: Prisma.InputJsonValue;
  at: Date;
}

/** Appends one audit event. Call it inside the transaction that makes the change. */
export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db.auditEvent.create({
    data: {
      at: entry.at,
      actorType: entry.actor.type,
      actorId: entry.actor.id,
      actorName: entry.actor.name,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId ?? null,
      reason: entry.reason ?? null,
      ...(entry.details === undefined ? {} : { details: entry.details }),
    },
  });
}
