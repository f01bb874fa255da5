import { createHash } from "node:crypto";
import type { Prisma } from "@switchyard/db";
import type { Inventory } from "@switchyard/protocol";
import type { ServiceContext } from "./context";

/** JSON with object keys sorted, so equal inventories give equal digests whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The digest ignores `collectedAt`: a snapshot that differs only in when it was taken is unchanged.
 */
export function inventoryDigest(inventory: Inventory): string {
  const { collectedAt: _ignored, ...rest } = inventory;
  return createHash("sha256").update(canonicalJson(rest)).digest("hex");
}

export interface IngestResult {
  /** false when the snapshot equals the stored one: nothing was written. */
  changed: boolean;
  receivedAt: Date;
  digest: string;
}

/**
 * Stores an agent's full inventory snapshot, parsed at the socket edge (protocol agentToServerEvents):
 * a snapshot of a host with 500 containers is parsed once, not again here.
 */
export async function ingestInventory(
  ctx: ServiceContext,
  hostId: string,
  inventory: Inventory,
): Promise<IngestResult> {
  const digest = inventoryDigest(inventory);
  const existing = await ctx.prisma.hostInventory.findUnique({
    where: { hostId },
    select: { digest: true, receivedAt: true },
  });
  if (existing?.digest === digest) return { changed: false, receivedAt: existing.receivedAt, digest };
  const receivedAt = ctx.now();
  const collectedAt = new Date(inventory.collectedAt);
  const data = {
    snapshot: inventory as unknown as Prisma.InputJsonValue,
    digest,
    collectedAt: Number.isNaN(collectedAt.getTime()) ? receivedAt : collectedAt,
    receivedAt,
  };
  await ctx.prisma.$transaction([
    ctx.prisma.hostInventory.upsert({ where: { hostId }, create: { hostId, ...data }, update: data }),
    ctx.prisma.host.update({ where: { id: hostId }, data: { hostname: inventory.hostname } }),
  ]);
  return { changed: true, receivedAt, digest };
}
