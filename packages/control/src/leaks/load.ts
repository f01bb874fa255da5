import type { Inventory } from "@switchyard/protocol";
import type { Db } from "../context";
import type { LeakCheckAllocation, LeakCheckHost, LeakCheckInput, LeakCheckPool } from "./find";

type Range = { first: string; last?: string };
const rangesOf = (value: unknown): Range[] =>
  Array.isArray(value)
    ? value.filter((r): r is Range => typeof r === "object" && r !== null && typeof r.first === "string")
    : [];

async function loadPools(db: Db, where: { id?: string } = {}): Promise<LeakCheckPool[]> {
  const rows = await db.addressPool.findMany({
    where,
    select: { id: true, name: true, cidr: true, gateway: true, reserved: true },
  });
  return rows.map((p) => ({ ...p, reserved: rangesOf(p.reserved) }));
}

/**
 * Hosts with their latest inventories. Snapshots were validated when they were stored
 * (ingestInventory), so they are used as they are.
 */
export async function loadHosts(db: Db, where: { id?: { in: string[] } } = {}): Promise<LeakCheckHost[]> {
  const rows = await db.host.findMany({
    where,
    select: {
      id: true,
      name: true,
      status: true,
      lastSeenAt: true,
      inventory: { select: { collectedAt: true, receivedAt: true, snapshot: true } },
    },
  });
  return rows.map((h) => ({
    id: h.id,
    name: h.name,
    status: h.status,
    lastSeenAt: h.lastSeenAt,
    inventory: h.inventory
      ? {
          collectedAt: h.inventory.collectedAt,
          receivedAt: h.inventory.receivedAt,
          snapshot: h.inventory.snapshot as unknown as Inventory,
        }
      : null,
  }));
}

/** Active allocations (held, not released) with the live attachment that holds each. */
export async function loadAllocations(
  db: Db,
  where: { poolId?: string; address?: string } = {},
): Promise<LeakCheckAllocation[]> {
  const allocations = await db.addressAllocation.findMany({
    where: { ...where, releasedAt: null, heldOffset: { not: null } },
    select: { id: true, poolId: true, address: true, hostId: true, networkId: true, allocatedAt: true },
  });
  const ids = allocations.map((a) => a.id);
  const attachments =
    ids.length === 0
      ? []
      : await db.attachment.findMany({
          where: { status: { not: "detached" }, ...(where.address ? { allocationId: { in: ids } } : {}) },
          select: {
            id: true,
            hostId: true,
            networkId: true,
            containerRuntime: true,
            containerRef: true,
            ifname: true,
            address: true,
            mac: true,
            status: true,
            createdAt: true,
            appliedAt: true,
            allocationId: true,
          },
        });
  const byAllocation = new Map(attachments.filter((a) => a.allocationId).map((a) => [a.allocationId, a]));
  return allocations.map((a) => {
    const att = byAllocation.get(a.id);
    return {
      ...a,
      attachment: att
        ? {
            id: att.id,
            hostId: att.hostId,
            networkId: att.networkId,
            runtime: att.containerRuntime,
            ref: att.containerRef,
            ifname: att.ifname,
            address: att.address,
            mac: att.mac,
            status: att.status,
            createdAt: att.createdAt,
            appliedAt: att.appliedAt,
          }
        : null,
    };
  });
}

export async function loadCheckInput(db: Db): Promise<LeakCheckInput> {
  const allocations = await loadAllocations(db);
  const hosts = await loadHosts(db);
  const pools = await loadPools(db);
  return { allocations, hosts, pools };
}
