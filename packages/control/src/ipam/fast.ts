import { Prisma } from "@switchyard/db";
import type { PoolPlan } from "@switchyard/ipam";
import type { AllocationRow } from "./allocation-dto";
import type { PoolRow } from "./pool-record";
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

export type FastResult = { kind: "taken"; row: AllocationRow } | { kind: "no_host" } | { kind: "full" };

/**
 * The common path (an address from the host's blocks) in one statement and one round trip: the SQL
 * function of migration `ipam_allocate_function` takes the host's lock, picks the lowest free address of
 * its blocks (claiming the lowest claimable block when they are full) and inserts the row, all bounded
 * by rows and reserved ranges. `full` means the caller must borrow or report exhaustion.
 */
export async function allocateFromBlocks(
  db: Prisma.TransactionClient,
  req: FastRequest,
): Promise<FastResult> {
  const { plan } = req;
  const ranges = plan.reserved.ranges;
  const rows = await db.$queryRaw<
    {
      status: string;
      id: string | null;
      offset: string | null;
      block: string | null;
      address: string | null;
    }[]
  >`
    SELECT status, id, "offset"::text AS "offset", block_index::text AS block, address
    FROM switchyard_ipam_allocate(${req.pool.id}, ${req.hostId}, ${ts(req.now)}, ${plan.cidr.family}::integer,
      ${num(plan.cidr.network)}, ${num(plan.layout.blockSize)}, ${num(plan.layout.blockCount)},
      ${numArray(ranges.map((r) => r.first))}, ${numArray(ranges.map((r) => r.last))},
      ${req.stickyKey}, ${req.networkId}, ${req.endpointId}, ${req.allocatedBy}, ${req.reason})`;
  const r = rows[0];
  if (r?.status === "no_host") return { kind: "no_host" };
  if (r?.status !== "taken" || !r.id || !r.offset || !r.block || !r.address) return { kind: "full" };
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
