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
  /** What the entry concerns beyond its target, for the audit view's filters. */
  scope?: AuditScope;
  at: Date;
}

export interface AuditScope {
  hostId?: string | null;
  networkId?: string | null;
  address?: string | null;
}

/**
 * The scope of an entry: given, else its target when that is a host or a network, and the address
 * its details name (attach, detach and release entries all carry `details.address`).
 */
export function scopeOf(
  entry: Pick<AuditEntry, "targetType" | "targetId" | "scope" | "details">,
): Required<AuditScope> {
  const target = entry.targetId ?? null;
  const details = entry.details;
  const named =
    details && typeof details === "object" && !Array.isArray(details) && "address" in details
      ? details.address
      : null;
  return {
    hostId: entry.scope?.hostId ?? (entry.targetType === "host" ? target : null),
    networkId: entry.scope?.networkId ?? (entry.targetType === "network" ? target : null),
    address: entry.scope?.address ?? (typeof named === "string" ? named : null),
  };
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
      ...scopeOf(entry),
      ...(entry.details === undefined ? {} : { details: entry.details }),
    },
  });
}
