import { Prisma } from "@switchyard/db";
import { addressText, blockOfOffset } from "@switchyard/ipam";
import type { AllocationSource } from "@switchyard/protocol";
import type { AllocationRow } from "./allocation-dto";
import { type AllocationRequest, claimBlock } from "./block-claims";
import { num, ts } from "./sql";

export type TakeResult = { kind: "taken"; row: AllocationRow } | { kind: "held" } | { kind: "no_block" };

/**
 * What the caller already read under the host's lock (fast path): whether an expired cooldown row
 * still holds the offset and whether the block is marked empty. Omitted: `take` checks both itself.
 */
export interface KnownState {
  stale: boolean;
  blockMarkedEmpty: boolean;
}

/** How `take` treats the block that holds the address. */
export type BlockMode =
  /** Must be the requesting host's own block. */
  | "own"
  /** Any claimed block (borrowing from another host). */
  | "claimed"
  /** Claimed for the host when nobody owns it yet (explicit and sticky addresses). */
  | "claim";

/**
 * Makes the host the holder of `offset`, or reports why not. The insert relies on the unique
 * (poolId, heldOffset) index: if anyone else holds the address, committed or not, it does nothing.
 */
export async function take(
  req: AllocationRequest,
  offset: bigint,
  source: AllocationSource,
  mode: BlockMode,
  known?: KnownState,
): Promise<TakeResult> {
  const { tx, pool } = req;
  const block = blockOfOffset(req.plan, offset);

  // The previous holder lets go once its cooldown is over (at once if it is the same sticky key).
  if (!known || known.stale)
    await tx.$executeRaw`
    UPDATE "AddressAllocation" SET "heldOffset" = NULL
    WHERE "poolId" = ${pool.id} AND "heldOffset" = ${num(offset)} AND "releasedAt" IS NOT NULL
      AND ("reusableAt" <= ${ts(req.now)} OR "stickyKey" = ${req.stickyKey ?? ""})`;

  // The block is in use again. The row lock taken here also stops a concurrent sweep from returning
  // the block to the pool under us; no row means the block is not (or no longer) claimed.
  if (known && mode === "own" && !known.blockMarkedEmpty) {
    // Under the host's lock the own block cannot be swept or marked empty: nothing to touch.
  } else if (!(await touchBlock(req, block, mode))) {
    if (mode !== "claim") return { kind: "no_block" };
    await claimBlock(req, block);
    if (!(await touchBlock(req, block, "claimed"))) return { kind: "no_block" };
  }

  const address = addressText(req.plan, offset);
  const rows = await tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "AddressAllocation" ("id", "poolId", "address", "offset", "heldOffset", "blockIndex", "hostId",
      "source", "stickyKey", "networkId", "endpointId", "allocatedAt", "allocatedBy", "reason")
    VALUES (gen_random_uuid()::text, ${pool.id}, ${address}, ${num(offset)}, ${num(offset)},
      ${num(block)}, ${req.hostId}, ${source}, ${req.stickyKey}, ${req.networkId}, ${req.endpointId},
      ${ts(req.now)}, ${req.allocatedBy}, ${req.reason})
    ON CONFLICT ("poolId", "heldOffset") DO NOTHING RETURNING "id"`;
  const id = rows[0]?.id;
  if (!id) return { kind: "held" };
  // The row as inserted, without reading it back.
  const row: AllocationRow = {
    id,
    poolId: pool.id,
    address,
    offset: new Prisma.Decimal(offset.toString()),
    heldOffset: new Prisma.Decimal(offset.toString()),
    blockIndex: new Prisma.Decimal(block.toString()),
    hostId: req.hostId,
    source,
    stickyKey: req.stickyKey,
    networkId: req.networkId,
    endpointId: req.endpointId,
    allocatedAt: req.now,
    allocatedBy: req.allocatedBy,
    reason: req.reason,
    releasedAt: null,
    releasedBy: null,
    releaseReason: null,
    reusableAt: null,
  };
  return { kind: "taken", row };
}

async function touchBlock(req: AllocationRequest, block: bigint, mode: BlockMode): Promise<boolean> {
  const count =
    mode === "own"
      ? await req.tx.$executeRaw`
          UPDATE "AddressBlock" SET "emptySince" = NULL
          WHERE "poolId" = ${req.pool.id} AND "index" = ${num(block)} AND "hostId" = ${req.hostId}`
      : await req.tx.$executeRaw`
          UPDATE "AddressBlock" SET "emptySince" = NULL WHERE "poolId" = ${req.pool.id} AND "index" = ${num(block)}`;
  return count > 0;
}
