import { formatOffset } from "@switchyard/ipam";
import type { AllocationRequest } from "./block-claims";
import { num } from "./sql";

/** Who holds an address right now, for a 409 that names them. */
export async function describeHolder(
  req: AllocationRequest,
  offset: bigint,
): Promise<{ message: string; details: Record<string, unknown> }> {
  const address = formatOffset(req.plan.cidr, offset);
  const rows = await req.tx.$queryRaw<
    {
      id: string;
      hostId: string | null;
      hostName: string | null;
      stickyKey: string | null;
      released: boolean;
      reusableAt: string | null;
      allocatedAt: string;
    }[]
  >`
    SELECT a."id", a."hostId", h."name" AS "hostName", a."stickyKey", a."releasedAt" IS NOT NULL AS released,
      to_char(a."reusableAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "reusableAt",
      to_char(a."allocatedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "allocatedAt"
    FROM "AddressAllocation" a LEFT JOIN "Host" h ON h."id" = a."hostId"
    WHERE a."poolId" = ${req.pool.id} AND a."heldOffset" = ${num(offset)}`;
  const holder = rows[0];
  if (!holder) {
    return { message: `${address} was just taken in pool ${req.pool.name}; try again`, details: { address } };
  }
  const details = {
    address,
    allocationId: holder.id,
    hostId: holder.hostId,
    hostName: holder.hostName,
    stickyKey: holder.stickyKey,
    allocatedAt: holder.allocatedAt,
    reusableAt: holder.reusableAt,
  };
  const who = `host ${holder.hostName ?? holder.hostId ?? "(deleted)"}${holder.stickyKey ? ` (key ${holder.stickyKey})` : ""}`;
  if (holder.released) {
    return {
      message: `${address} in pool ${req.pool.name} was released by ${who} and is cooling down until ${holder.reusableAt}`,
      details,
    };
  }
  return {
    message: `${address} in pool ${req.pool.name} is held by ${who} since ${holder.allocatedAt}`,
    details,
  };
}
