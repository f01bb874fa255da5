import type { Prisma } from "@switchyard/db";
import {
  type LeakEvidence,
  type LeakFinding,
  type LeakProbeResult,
  type LeakReleaseRecord,
  leakProbeResultSchema,
} from "@switchyard/protocol";
import type { Db } from "../context";

export type FindingRow = Prisma.LeakFindingModel;
export type ReleaseRow = Prisma.LeakReleaseModel;

/** Names of the pools, networks and hosts the rows mention, read in three queries. */
export interface Names {
  pools: Map<string, string>;
  networks: Map<string, string>;
  hosts: Map<string, string>;
}

export async function namesFor(
  db: Db,
  rows: readonly { poolId: string | null; hostId: string | null; networkId?: string | null }[],
): Promise<Names> {
  const ids = (f: (r: (typeof rows)[number]) => string | null | undefined) => [
    ...new Set(rows.map(f).filter((x): x is string => typeof x === "string")),
  ];
  // One after the other: inside a transaction the queries share one connection.
  const pools = await db.addressPool.findMany({
    where: { id: { in: ids((r) => r.poolId) } },
    select: { id: true, name: true },
  });
  const networks = await db.network.findMany({
    where: { id: { in: ids((r) => r.networkId) } },
    select: { id: true, name: true },
  });
  const hosts = await db.host.findMany({
    where: { id: { in: ids((r) => r.hostId) } },
    select: { id: true, name: true },
  });
  return {
    pools: new Map(pools.map((p) => [p.id, p.name])),
    networks: new Map(networks.map((n) => [n.id, n.name])),
    hosts: new Map(hosts.map((h) => [h.id, h.name])),
  };
}

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

function probeOf(value: unknown): LeakProbeResult | null {
  if (value === null || value === undefined) return null;
  const parsed = leakProbeResultSchema.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function toFindingDto(row: FindingRow, names: Names): LeakFinding {
  return {
    id: row.id,
    kind: row.kind,
    state: row.state,
    poolId: row.poolId,
    poolName: row.poolId ? (names.pools.get(row.poolId) ?? null) : null,
    address: row.address,
    allocationId: row.allocationId,
    attachmentId: row.attachmentId,
    networkId: row.networkId,
    networkName: row.networkId ? (names.networks.get(row.networkId) ?? null) : null,
    hostId: row.hostId,
    hostName: row.hostId ? (names.hosts.get(row.hostId) ?? null) : null,
    container: row.container,
    ifname: row.ifname,
    evidence: row.evidence as unknown as LeakEvidence,
    firstSeenAt: row.firstSeenAt.toISOString(),
    lastSeenAt: row.lastSeenAt.toISOString(),
    raisedAt: iso(row.raisedAt),
    resolvedAt: iso(row.resolvedAt),
    releasedAt: iso(row.releasedAt),
    releaseId: row.releaseId,
    probe: probeOf(row.probe),
    releasable: row.allocationId !== null && (row.state === "open" || row.state === "pending"),
  };
}

export async function findingDtos(db: Db, rows: readonly FindingRow[]): Promise<LeakFinding[]> {
  const names = await namesFor(db, rows);
  return rows.map((r) => toFindingDto(r, names));
}

export function toReleaseDto(row: ReleaseRow, names: Names): LeakReleaseRecord {
  return {
    id: row.id,
    poolId: row.poolId,
    poolName: names.pools.get(row.poolId) ?? null,
    address: row.address,
    allocationId: row.allocationId,
    attachmentId: row.attachmentId,
    hostId: row.hostId,
    hostName: row.hostId ? (names.hosts.get(row.hostId) ?? null) : null,
    findingIds: row.findingIds,
    reason: row.reason,
    releasedBy: row.releasedBy,
    releasedAt: row.releasedAt.toISOString(),
    reusableAt: iso(row.reusableAt),
    verification: row.verification,
    undoneAt: iso(row.undoneAt),
    undoneBy: row.undoneBy,
    undoReason: row.undoReason,
  };
}
