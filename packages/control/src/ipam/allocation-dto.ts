import type { Prisma } from "@switchyard/db";
import { canonicalAddress, isCoolingDown } from "@switchyard/ipam";
import type { Allocation, AllocationSource, AllocationState } from "@switchyard/protocol";
import type { PoolRow } from "./pool-record";

export type AllocationRow = Prisma.AddressAllocationModel;

const SOURCES: readonly AllocationSource[] = ["block", "borrowed", "explicit", "sticky"];
const sourceOf = (s: string): AllocationSource => SOURCES.find((x) => x === s) ?? "block";

export function allocationState(row: AllocationRow, now: Date): AllocationState {
  if (!row.releasedAt) return "active";
  return isCoolingDown(row.reusableAt, now) ? "cooling" : "released";
}

export function toAllocationDto(row: AllocationRow, pool: PoolRow, now: Date): Allocation {
  return {
    id: row.id,
    poolId: row.poolId,
    address: row.address,
    prefix: Number(pool.cidr.split("/")[1]),
    gateway: pool.gateway ? canonicalAddress(pool.gateway) : null,
    hostId: row.hostId,
    blockIndex: row.blockIndex.toString(),
    source: sourceOf(row.source),
    state: allocationState(row, now),
    stickyKey: row.stickyKey,
    networkId: row.networkId,
    endpointId: row.endpointId,
    allocatedAt: row.allocatedAt.toISOString(),
    allocatedBy: row.allocatedBy,
    reason: row.reason,
    releasedAt: row.releasedAt?.toISOString() ?? null,
    releasedBy: row.releasedBy,
    releaseReason: row.releaseReason,
    reusableAt: row.reusableAt?.toISOString() ?? null,
  };
}
