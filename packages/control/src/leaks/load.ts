import { Prisma } from "@switchyard/db";
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

// The check reads every active allocation and every inventory at once (100,000 rows and 1,000
// snapshots are normal): each is one query whose result PostgreSQL aggregates into a single JSON text
// of arrays, parsed once, instead of materializing ORM objects row by row. Times travel as epoch ms.

const at = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));
const epochMs = (column: Prisma.Sql) => Prisma.sql`(extract(epoch FROM ${column}) * 1000)::float8`;

type HostTuple = [string, string, string, number | null, number | null, number | null, Inventory | null];

/**
 * Hosts with their latest inventories. Snapshots were validated when they were stored
 * (ingestInventory), so they are used as they are.
 */
export async function loadHosts(db: Db, where: { id?: { in: string[] } } = {}): Promise<LeakCheckHost[]> {
  const filter = where.id ? Prisma.sql`WHERE h."id" = ANY(${where.id.in})` : Prisma.empty;
  const [row] = await db.$queryRaw<{ j: string }[]>`
    SELECT coalesce(json_agg(json_build_array(h."id", h."name", h."status"::text, ${epochMs(Prisma.sql`h."lastSeenAt"`)},
      ${epochMs(Prisma.sql`i."collectedAt"`)}, ${epochMs(Prisma.sql`i."receivedAt"`)}, i."snapshot")), '[]')::text AS j
    FROM "Host" h LEFT JOIN "HostInventory" i ON i."hostId" = h."id" ${filter}`;
  const tuples = JSON.parse(row?.j ?? "[]") as HostTuple[];
  return tuples.map(([id, name, status, lastSeenAt, collectedAt, receivedAt, snapshot]) => ({
    id,
    name,
    status,
    lastSeenAt: at(lastSeenAt),
    inventory:
      snapshot && collectedAt !== null && receivedAt !== null
        ? { collectedAt: new Date(collectedAt), receivedAt: new Date(receivedAt), snapshot }
        : null,
  }));
}

type AllocationTuple = [
  string,
  string,
  string,
  string | null,
  string | null,
  number,
  // the live attachment holding it, all null when none
  string | null,
  string,
  string,
  string,
  string,
  string,
  string,
  string | null,
  string,
  number,
  number | null,
  string | null,
];

/** Active allocations (held, not released) with the live attachment that holds each. */
export async function loadAllocations(
  db: Db,
  where: { poolId?: string; address?: string } = {},
): Promise<LeakCheckAllocation[]> {
  const filters = [
    Prisma.sql`a."releasedAt" IS NULL AND a."heldOffset" IS NOT NULL`,
    ...(where.poolId ? [Prisma.sql`a."poolId" = ${where.poolId}`] : []),
    ...(where.address ? [Prisma.sql`a."address" = ${where.address}`] : []),
  ];
  // allocationId is unique on Attachment: at most one live attachment per allocation.
  const [row] = await db.$queryRaw<{ j: string }[]>`
    SELECT coalesce(json_agg(json_build_array(a."id", a."poolId", a."address", a."hostId", a."networkId",
      ${epochMs(Prisma.sql`a."allocatedAt"`)}, t."id", t."hostId", t."networkId", t."containerRuntime", t."containerRef",
      t."ifname", t."address", t."mac", t."status"::text, ${epochMs(Prisma.sql`t."createdAt"`)},
      ${epochMs(Prisma.sql`t."appliedAt"`)}, t."cniContainerId")), '[]')::text AS j
    FROM "AddressAllocation" a
    LEFT JOIN "Attachment" t ON t."allocationId" = a."id" AND t."status" <> 'detached'
    WHERE ${Prisma.join(filters, " AND ")}`;
  const tuples = JSON.parse(row?.j ?? "[]") as AllocationTuple[];
  return tuples.map((t) => ({
    id: t[0],
    poolId: t[1],
    address: t[2],
    hostId: t[3],
    networkId: t[4],
    allocatedAt: new Date(t[5]),
    attachment:
      t[6] === null
        ? null
        : {
            id: t[6],
            hostId: t[7],
            networkId: t[8],
            runtime: t[9],
            ref: t[10],
            ifname: t[11],
            address: t[12],
            mac: t[13],
            status: t[14],
            createdAt: new Date(t[15]),
            appliedAt: at(t[16]),
            cniContainerId: t[17] ?? null,
          },
  }));
}

export async function loadCheckInput(db: Db): Promise<LeakCheckInput> {
  const allocations = await loadAllocations(db);
  const hosts = await loadHosts(db);
  const pools = await loadPools(db);
  return { allocations, hosts, pools };
}
