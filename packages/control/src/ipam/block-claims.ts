/** The SQL steps of one allocation attempt: the per-host lock, block claims, what a host already owns. */
import type { Prisma } from "@switchyard/db";
import type { PoolPlan } from "@switchyard/ipam";
import type { PoolRow } from "./pool-record";
import { num, numArray, ts } from "./sql";

/** Everything one allocation attempt needs, inside its transaction. */
export interface AllocationRequest {
  tx: Prisma.TransactionClient;
  pool: PoolRow;
  plan: PoolPlan;
  hostId: string;
  now: Date;
  stickyKey: string | null;
  reason: string | null;
  networkId: string | null;
  endpointId: string | null;
  allocatedBy: string | null;
}

/**
 * Serializes allocations of one host in one pool (across every process on the database) until the
 * transaction ends. Different hosts never wait on each other: there is no global lock.
 */
export async function lockHostInPool(
  tx: Prisma.TransactionClient,
  poolId: string,
  hostId: string,
): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${poolId}), hashtext(${hostId}))`;
}

/**
 * Serializes requests carrying the same sticky key in one pool, so two hosts asking with the same key
 * at once cannot both get an address. Always taken after the host lock, never before (no cycles).
 */
export async function lockStickyKey(
  tx: Prisma.TransactionClient,
  poolId: string,
  key: string,
): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`${poolId}:sticky`}), hashtext(${key}))`;
}

/** Offsets in the given blocks that nobody may take now: held, or released and still cooling down. */
export async function unavailableOffsets(
  req: AllocationRequest,
  blocks: readonly bigint[],
): Promise<Set<bigint>> {
  if (blocks.length === 0) return new Set();
  const rows = await req.tx.$queryRaw<{ o: string }[]>`
    SELECT "heldOffset"::text AS o FROM "AddressAllocation"
    WHERE "poolId" = ${req.pool.id} AND "blockIndex" = ANY(${numArray(blocks)})
      AND "heldOffset" IS NOT NULL AND ("releasedAt" IS NULL OR "reusableAt" > ${ts(req.now)})`;
  return new Set(rows.map((r) => BigInt(r.o)));
}

/** Claims a block for the host; false when another host got it first. Atomic through (poolId, index) unique. */
export async function claimBlock(req: AllocationRequest, index: bigint): Promise<boolean> {
  const rows = await req.tx.$queryRaw<{ id: string }[]>`
    INSERT INTO "AddressBlock" ("id", "poolId", "index", "hostId", "claimedAt")
    VALUES (gen_random_uuid()::text, ${req.pool.id}, ${num(index)}, ${req.hostId}, ${ts(req.now)})
    ON CONFLICT ("poolId", "index") DO NOTHING RETURNING "id"`;
  return rows.length > 0;
}

/** Indices of the pool's claimed blocks, optionally only the host's (ascending). */
export async function claimedBlocks(req: AllocationRequest, only?: "mine" | "others"): Promise<bigint[]> {
  const rows =
    only === "mine"
      ? await req.tx.$queryRaw<{ i: string }[]>`
          SELECT "index"::text AS i FROM "AddressBlock"
          WHERE "poolId" = ${req.pool.id} AND "hostId" = ${req.hostId} ORDER BY "index"`
      : only === "others"
        ? await req.tx.$queryRaw<{ i: string }[]>`
            SELECT "index"::text AS i FROM "AddressBlock"
            WHERE "poolId" = ${req.pool.id} AND "hostId" IS DISTINCT FROM ${req.hostId} ORDER BY "index"`
        : await req.tx.$queryRaw<{ i: string }[]>`
            SELECT "index"::text AS i FROM "AddressBlock" WHERE "poolId" = ${req.pool.id} ORDER BY "index"`;
  return rows.map((r) => BigInt(r.i));
}

/** The host's blocks in one round trip: which are marked empty, which offsets are busy, which are held by expired cooldowns. */
export interface OwnBlocks {
  indices: bigint[];
  /** Blocks whose `emptySince` is set (must be cleared when an address goes in). */
  markedEmpty: Set<bigint>;
  /** Held, or released and still cooling down. */
  busy: Set<bigint>;
  /** Still held by a released row whose cooldown is over: free, but that row must let go first. */
  stale: Set<bigint>;
}

export async function ownBlocks(req: AllocationRequest): Promise<OwnBlocks> {
  const rows = await req.tx.$queryRaw<{ i: string; empty: boolean; busy: string[]; stale: string[] }[]>`
    SELECT b."index"::text AS i, b."emptySince" IS NOT NULL AS empty,
      coalesce(array_agg(a."heldOffset"::text)
        FILTER (WHERE a."id" IS NOT NULL AND (a."releasedAt" IS NULL OR a."reusableAt" > ${ts(req.now)})), '{}') AS busy,
      coalesce(array_agg(a."heldOffset"::text)
        FILTER (WHERE a."id" IS NOT NULL AND a."releasedAt" IS NOT NULL AND a."reusableAt" <= ${ts(req.now)}), '{}') AS stale
    FROM "AddressBlock" b
    LEFT JOIN "AddressAllocation" a
      ON a."poolId" = b."poolId" AND a."blockIndex" = b."index" AND a."heldOffset" IS NOT NULL
    WHERE b."poolId" = ${req.pool.id} AND b."hostId" = ${req.hostId}
    GROUP BY b."id" ORDER BY b."index"`;
  const out: OwnBlocks = { indices: [], markedEmpty: new Set(), busy: new Set(), stale: new Set() };
  for (const r of rows) {
    const index = BigInt(r.i);
    out.indices.push(index);
    if (r.empty) out.markedEmpty.add(index);
    for (const o of r.busy) out.busy.add(BigInt(o));
    for (const o of r.stale) out.stale.add(BigInt(o));
  }
  return out;
}

/**
 * True when no other transaction is claiming block `index` of the pool right now (held until this
 * transaction ends). Claimers skip a block being claimed instead of queueing behind its uncommitted
 * insert, so hosts needing blocks at the same moment do not form a convoy.
 */
export async function tryLockBlockClaim(req: AllocationRequest, index: bigint): Promise<boolean> {
  const [row] = await req.tx.$queryRaw<{ ok: boolean }[]>`
    SELECT pg_try_advisory_xact_lock(hashtext(${`${req.pool.id}:blocks`}), hashtext(${index.toString()})) AS ok`;
  return row?.ok === true;
}
