import type { Prisma } from "@switchyard/db";
import { AddressError, canonicalAddress, formatCidr, type PoolPlan, planPool } from "@switchyard/ipam";
import type { Pool } from "@switchyard/protocol";
import type { Db } from "../context";
import { DomainError, notFound } from "../errors";
import { byIdOrName } from "../id-or-name";

export type PoolRow = Prisma.AddressPoolModel;

interface StoredRange {
  first: string;
  last: string;
}

/** The reserved ranges column, tolerant of hand-edited rows. */
function storedRanges(value: Prisma.JsonValue): StoredRange[] {
  if (!Array.isArray(value)) return [];
  const out: StoredRange[] = [];
  for (const item of value) {
    if (item && typeof item === "object" && !Array.isArray(item)) {
      const first = item.first;
      const last = item.last ?? first;
      if (typeof first === "string" && typeof last === "string") out.push({ first, last });
    }
  }
  return out;
}

/** The pool's address math. Pools are validated when created, so a failure here is a corrupt row. */
export function planOf(pool: PoolRow): PoolPlan {
  try {
    return planPool({
      cidr: pool.cidr,
      gateway: pool.gateway,
      blockSize: pool.blockSize,
      reserved: storedRanges(pool.reserved),
    });
  } catch (err) {
    if (err instanceof AddressError)
      throw new DomainError("internal", `pool ${pool.name} is misconfigured: ${err.message}`);
    throw err;
  }
}

export function toPoolDto(pool: PoolRow, plan: PoolPlan = planOf(pool)): Pool {
  return {
    id: pool.id,
    name: pool.name,
    cidr: formatCidr(plan.cidr),
    family: plan.cidr.family,
    gateway: pool.gateway ? canonicalAddress(pool.gateway) : null,
    blockSize: pool.blockSize,
    effectiveBlockSize: plan.layout.blockSize.toString(),
    reserved: storedRanges(pool.reserved),
    allowBorrow: pool.allowBorrow,
    cooldownSeconds: pool.cooldownSeconds,
    blockGraceSeconds: pool.blockGraceSeconds,
    description: pool.description,
    createdAt: pool.createdAt.toISOString(),
  };
}

/** A pool by id or by name. */
export async function findPool(
  db: Db,
  ref: { poolId?: string | undefined; pool?: string | undefined },
): Promise<PoolRow> {
  const key = ref.poolId ?? ref.pool;
  if (!key) throw new DomainError("validation_failed", "name the pool (poolId or pool)", "poolId");
  const pool = ref.poolId
    ? await db.addressPool.findFirst({ where: byIdOrName(ref.poolId) })
    : await db.addressPool.findUnique({ where: { name: key } });
  if (!pool) throw notFound(`pool ${key}`, ref.poolId ? "poolId" : "pool");
  return pool;
}
