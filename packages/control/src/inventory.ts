import { createHash } from "node:crypto";
import type { Prisma } from "@switchyard/db";
import { type Inventory, inventorySchema } from "@switchyard/protocol";
import type { ServiceContext } from "./context";
import { DomainError } from "./errors";

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

/** Validates and stores an agent's full inventory snapshot. */
export async function ingestInventory(
  ctx: ServiceContext,
  hostId: string,
  raw: unknown,
): Promise<IngestResult> {
  const parsed = inventorySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new DomainError(
      "validation_failed",
      `inventory is invalid: ${issue?.message ?? "unknown error"}`,
      issue ? ["inventory", ...issue.path.map(String)].join(".") : "inventory",
    );
  }
  const inventory = parsed.data;
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
