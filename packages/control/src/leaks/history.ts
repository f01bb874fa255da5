import { canonicalAddress } from "@switchyard/ipam";
import type { AddressHistory, AddressHistoryEvent } from "@switchyard/protocol";
import type { ServiceContext } from "../context";
import { DomainError } from "../errors";
import { toAllocationDto } from "../ipam/allocation-dto";
import { namesFor, toFindingDto, toReleaseDto } from "./dto";
import { findLeakPool } from "./release";

/** Everything that happened to one address of a pool: allocations and holders, findings, releases (who, why). */
export async function addressHistory(
  ctx: ServiceContext,
  input: { pool: string; address: string },
): Promise<AddressHistory> {
  const pool = await findLeakPool(ctx, input.pool);
  let address: string;
  try {
    address = canonicalAddress(input.address);
  } catch {
    throw new DomainError("validation_failed", `${input.address} is not an address`, "address");
  }
  const now = ctx.now();
  const [allocations, findings, releases] = await Promise.all([
    ctx.prisma.addressAllocation.findMany({
      where: { poolId: pool.id, address },
      orderBy: [{ allocatedAt: "asc" }, { id: "asc" }],
    }),
    ctx.prisma.leakFinding.findMany({
      where: { poolId: pool.id, address },
      orderBy: [{ firstSeenAt: "asc" }, { id: "asc" }],
    }),
    ctx.prisma.leakRelease.findMany({
      where: { poolId: pool.id, address },
      orderBy: [{ releasedAt: "asc" }, { id: "asc" }],
    }),
  ]);
  const attachments = await ctx.prisma.attachment.findMany({
    where: { allocationId: { in: allocations.map((a) => a.id) } },
    select: { allocationId: true, containerRuntime: true, containerRef: true, ifname: true, networkId: true },
  });
  const names = await namesFor(ctx.prisma, [
    ...allocations.map((a) => ({ poolId: a.poolId, hostId: a.hostId, networkId: a.networkId })),
    ...findings,
    ...releases,
  ]);
  const holder = new Map(attachments.map((a) => [a.allocationId, a]));
  const host = (id: string | null) => (id ? (names.hosts.get(id) ?? id) : null);
  const events: AddressHistoryEvent[] = [];
  const leakReleased = new Set(releases.map((r) => r.allocationId));
  for (const a of allocations) {
    const att = holder.get(a.id);
    const who = att
      ? `${att.containerRuntime}:${att.containerRef} ${att.ifname}`
      : `(${a.source} allocation)`;
    events.push({
      at: a.allocatedAt.toISOString(),
      kind: "allocated",
      actor: a.allocatedBy,
      reason: a.reason,
      summary: `allocated to ${who} on host ${host(a.hostId) ?? "(deleted)"}${att ? ` (network ${names.networks.get(att.networkId) ?? att.networkId})` : ""}`,
      hostId: a.hostId,
      hostName: host(a.hostId),
      refId: a.id,
    });
    if (a.releasedAt && !leakReleased.has(a.id)) {
      events.push({
        at: a.releasedAt.toISOString(),
        kind: "released",
        actor: a.releasedBy,
        reason: a.releaseReason,
        summary: `released${a.reusableAt ? `, reusable from ${a.reusableAt.toISOString()}` : ""}`,
        hostId: a.hostId,
        hostName: host(a.hostId),
        refId: a.id,
      });
    }
  }
  for (const f of findings) {
    events.push({
      at: f.firstSeenAt.toISOString(),
      kind: "finding",
      actor: "leak check",
      reason: null,
      summary: `${f.kind}: ${(f.evidence as { detail?: string }).detail ?? ""}${f.raisedAt ? ` (raised ${f.raisedAt.toISOString()})` : ""}`,
      hostId: f.hostId,
      hostName: host(f.hostId),
      refId: f.id,
    });
    if (f.resolvedAt) {
      events.push({
        at: f.resolvedAt.toISOString(),
        kind: "finding_resolved",
        actor: "leak check",
        reason: null,
        summary: `${f.kind} no longer seen`,
        hostId: f.hostId,
        hostName: host(f.hostId),
        refId: f.id,
      });
    }
  }
  for (const r of releases) {
    events.push({
      at: r.releasedAt.toISOString(),
      kind: "leak_release",
      actor: r.releasedBy,
      reason: r.reason,
      summary: `released as leaked (verified: ${r.verification})${r.reusableAt ? `, reusable from ${r.reusableAt.toISOString()}` : ""}`,
      hostId: r.hostId,
      hostName: host(r.hostId),
      refId: r.id,
    });
    if (r.undoneAt) {
      events.push({
        at: r.undoneAt.toISOString(),
        kind: "release_undone",
        actor: r.undoneBy,
        reason: r.undoReason,
        summary: "release undone: the allocation holds the address again",
        hostId: r.hostId,
        hostName: host(r.hostId),
        refId: r.id,
      });
    }
  }
  events.sort((x, y) => (x.at < y.at ? -1 : x.at > y.at ? 1 : 0));
  return {
    pool: { id: pool.id, name: pool.name, cidr: pool.cidr },
    address,
    allocations: allocations.map((a) => toAllocationDto(a, pool, now)),
    findings: findings.map((f) => toFindingDto(f, names)),
    releases: releases.map((r) => toReleaseDto(r, names)),
    events,
  };
}
