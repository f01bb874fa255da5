import { Prisma } from "@switchyard/db";
import type { PoolPlan } from "@switchyard/ipam";
import type { AllocateBody, Allocation } from "@switchyard/protocol";
import type { Db } from "../context";
import { DomainError, notFound } from "../errors";
import { type AllocationRow, toAllocationDto } from "./allocation-dto";
import { type PoolRow, planOf } from "./pool-record";
import { withRetry } from "./retry";
import { num, numArray, ts } from "./sql";

/** Below this, IPv6 text may embed IPv4 (::a.b.c.d, ::ffff:a.b.c.d), which PostgreSQL prints unlike RFC 5952. */
const IPV4_EMBEDDING_END = 1n << 48n;

/** Whether `switchyard_ipam_allocate` formats this pool's addresses exactly as @switchyard/ipam does. */
export const sqlFormatsAddresses = (plan: PoolPlan): boolean =>
  plan.cidr.family === 4 || plan.cidr.network >= IPV4_EMBEDDING_END;

export interface FastRequest {
  pool: PoolRow;
  plan: PoolPlan;
  hostId: string;
  now: Date;
  stickyKey: string | null;
  networkId: string | null;
  endpointId: string | null;
  allocatedBy: string | null;
  reason: string | null;
}

export type FastResult =
  | { kind: "taken"; row: AllocationRow }
  | { kind: "no_host" }
  | { kind: "full" }
  /** The guard did not match: the pool was deleted or its address settings changed since it was read. */
  | { kind: "stale" };

/** The pool's name and what the address math depends on, hashed by PostgreSQL (both sides hash the same text). */
const FINGERPRINT = Prisma.sql`md5(p."name" || '|' || p."cidr" || '|' || coalesce(p."gateway", '') || '|' || p."blockSize"::text || '|' || p."reserved"::text)`;

/**
 * The common path (an address from the host's blocks) in one statement and one round trip: the SQL
 * function of migration `ipam_allocate_function` takes the host's lock, picks the lowest free address of
 * its blocks (claiming the lowest claimable block when they are full) and inserts the row, all bounded
 * by rows and reserved ranges. `full` means the caller must borrow or report exhaustion. With
 * `fingerprint`, the function only runs if the pool row still has the settings the plan was made from.
 */
export async function allocateFromBlocks(
  db: Prisma.TransactionClient,
  req: FastRequest,
  fingerprint?: string,
): Promise<FastResult> {
  const { plan } = req;
  const ranges = plan.reserved.ranges;
  const guard = fingerprint === undefined ? Prisma.sql`TRUE` : Prisma.sql`${FINGERPRINT} = ${fingerprint}`;
  const rows = await db.$queryRaw<
    {
      status: string;
      id: string | null;
      offset: string | null;
      block: string | null;
      address: string | null;
    }[]
  >`
    SELECT f.status, f.id, f."offset"::text AS "offset", f.block_index::text AS block, f.address
    FROM "AddressPool" p, LATERAL switchyard_ipam_allocate(p."id", ${req.hostId}, ${ts(req.now)},
      ${plan.cidr.family}::integer, ${num(plan.cidr.network)}, ${num(plan.layout.blockSize)},
      ${num(plan.layout.blockCount)}, ${numArray(ranges.map((r) => r.first))},
      ${numArray(ranges.map((r) => r.last))}, ${req.stickyKey}, ${req.networkId}, ${req.endpointId},
      ${req.allocatedBy}, ${req.reason}) f
    WHERE p."id" = ${req.pool.id} AND ${guard}`;
  const r = rows[0];
  if (!r) return { kind: "stale" };
  if (r.status === "no_host") return { kind: "no_host" };
  if (r.status !== "taken" || !r.id || !r.offset || !r.block || !r.address) return { kind: "full" };
  return {
    kind: "taken",
    row: {
      id: r.id,
      poolId: req.pool.id,
      address: r.address,
      offset: new Prisma.Decimal(r.offset),
      heldOffset: new Prisma.Decimal(r.offset),
      blockIndex: new Prisma.Decimal(r.block),
      hostId: req.hostId,
      source: "block",
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
    },
  };
}

interface PlannedPool {
  pool: PoolRow;
  plan: PoolPlan;
  fingerprint: string;
}

/**
 * Pools as last read, by how requests name them, so the common request needs no read of its own. Never
 * trusted: every allocation made from an entry checks its fingerprint in the same statement, and a
 * mismatch (pool deleted, renamed, settings changed) reads the pool again. Only address settings are
 * used from it; the other paths read the pool fresh.
 */
const planned = new Map<string, PlannedPool>();
const PLANNED_MAX = 1000;

async function readPool(db: Db, ref: { poolId?: string | undefined; pool?: string | undefined }) {
  const key = ref.poolId ?? ref.pool;
  if (!key) throw new DomainError("validation_failed", "name the pool (poolId or pool)", "poolId");
  const rows = await db.$queryRaw<(PoolRow & { fingerprint: string })[]>`
    SELECT p."id", p."name", p."cidr", p."family", p."gateway", p."blockSize", p."reserved", p."allowBorrow",
      p."cooldownSeconds", p."blockGraceSeconds", p."description", p."createdAt", ${FINGERPRINT} AS "fingerprint"
    FROM "AddressPool" p
    WHERE ${ref.poolId ? Prisma.sql`p."id" = ${key} OR p."name" = ${key}` : Prisma.sql`p."name" = ${key}`}
    ORDER BY p."id" = ${key} DESC LIMIT 1`;
  const row = rows[0];
  if (!row) throw notFound(`pool ${key}`, ref.poolId ? "poolId" : "pool");
  const { fingerprint, ...pool } = row;
  return { pool, plan: planOf(pool), fingerprint };
}

/**
 * The common request (no sticky key, no explicit address) outside any interactive transaction: one
 * round trip when the pool is known. Null when the caller must take the general path: the host's blocks
 * and the pool are full (borrowing, exhaustion), or PostgreSQL cannot format the pool's addresses.
 */
export async function allocateCommon(
  db: Db,
  input: AllocateBody,
  allocatedBy: string | null,
  now: Date,
): Promise<Allocation | null> {
  const key = input.poolId ? `id:${input.poolId}` : `name:${input.pool ?? ""}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    const entry = (attempt === 0 ? planned.get(key) : undefined) ?? (await readPool(db, input));
    if (!sqlFormatsAddresses(entry.plan)) return null;
    const req: FastRequest = {
      pool: entry.pool,
      plan: entry.plan,
      hostId: input.hostId,
      now,
      stickyKey: null,
      networkId: input.networkId ?? null,
      endpointId: input.endpointId ?? null,
      allocatedBy,
      reason: input.reason ?? null,
    };
    const result = await withRetry(() => allocateFromBlocks(db, req, entry.fingerprint));
    if (result.kind === "stale") {
      planned.delete(key);
      continue;
    }
    if (planned.size >= PLANNED_MAX) planned.clear();
    planned.set(key, entry);
    if (result.kind === "no_host") throw notFound(`host ${input.hostId}`, "hostId");
    if (result.kind === "full") return null;
    return toAllocationDto(result.row, entry.pool, now);
  }
  // Changed under us twice in a row: let the general path read it inside its transaction.
  return null;
}
