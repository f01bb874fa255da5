import { blockOfOffset, canonicalAddress, offsetIn, reusableAt } from "@switchyard/ipam";
import type { LeakReleaseItem, LeakReleaseOutcome, LeakReleaseRecord } from "@switchyard/protocol";
import { activeKeyOf } from "../attachments/dto";
import { liveStickyKeyOf, lockIntent, writeIntent } from "../attachments/intent";
import { type Actor, actorLabel, recordAudit } from "../audit";
import type { ServiceContext } from "../context";
import { conflict, DomainError, notFound } from "../errors";
import { byIdOrName } from "../id-or-name";
import { lockHostInPool } from "../ipam/block-claims";
import { findPool, planOf } from "../ipam/pool-record";
import { sqlStateOf } from "../ipam/retry";
import { num, ts } from "../ipam/sql";
import { namesFor, toReleaseDto } from "./dto";
import { findLeaks } from "./find";
import { loadAllocations, loadHosts } from "./load";
import { LEAK_TX, lockLeaks } from "./lock";
import type { LeakSettings } from "./settings";

/** What a release changed, for the caller to push and broadcast. */
export interface LeakReleaseChange {
  release: LeakReleaseRecord;
  /** Hosts whose desired state lost the endpoint (push it). */
  hostIds: string[];
  attachmentIds: string[];
  operationIds: string[];
  findingIds: string[];
}

/** A pool by id or name, or the pool of the network of that name. */
export async function findLeakPool(ctx: ServiceContext, ref: string) {
  const network = await ctx.prisma.network.findFirst({
    where: byIdOrName(ref),
    select: { poolId: true },
  });
  const byPool = await ctx.prisma.addressPool.findFirst({ where: byIdOrName(ref) });
  if (byPool) return byPool;
  return findPool(ctx.prisma, { poolId: network?.poolId ?? ref });
}

/**
 * Releases a leaked address, safely. In ONE transaction (under the leak lock): re-runs the check for
 * this allocation against the latest inventories and refuses (409) when nothing is leaked any more
 * (the container came back) or the address is live on an online host; then releases the allocation
 * into the pool's cooldown, marks its attachment detached (its endpoint leaves the host's desired
 * state, so the host's agent removes the leftovers: now if online, before anything else when it
 * reconnects), closes the findings, and records who, when and why.
 */
export async function releaseLeak(
  ctx: ServiceContext,
  actor: Actor,
  item: LeakReleaseItem,
  reason: string,
  settings: Pick<LeakSettings, "hostOfflineGraceMs">,
): Promise<LeakReleaseChange> {
  const pool = await findLeakPool(ctx, item.pool);
  const plan = planOf(pool);
  let offset: bigint;
  try {
    offset = offsetIn(plan, item.address);
  } catch {
    throw new DomainError(
      "validation_failed",
      `${item.address} is not an address of pool ${pool.name} (${pool.cidr})`,
      "address",
    );
  }
  const address = canonicalAddress(item.address);
  const block = blockOfOffset(plan, offset);
  return ctx.prisma.$transaction(async (tx) => {
    await lockLeaks(tx);
    const now = ctx.now();
    const [alloc] = await loadAllocations(tx, { poolId: pool.id, address });
    if (!alloc) {
      const last = await tx.addressAllocation.findFirst({
        where: { poolId: pool.id, address },
        orderBy: { allocatedAt: "desc" },
      });
      if (last?.releasedAt)
        throw conflict(`${address} in pool ${pool.name} is already released`, "address", {
          releasedAt: last.releasedAt.toISOString(),
          releasedBy: last.releasedBy,
        });
      throw notFound(`allocation of ${address} in pool ${pool.name}`, "address");
    }
    const hostId = alloc.attachment?.hostId ?? alloc.hostId;

    // Re-verify against what the agents report right now.
    const hosts = await loadHosts(tx);
    const poolInput = [
      {
        id: pool.id,
        name: pool.name,
        cidr: pool.cidr,
        gateway: pool.gateway,
        reserved: Array.isArray(pool.reserved) ? (pool.reserved as { first: string; last?: string }[]) : [],
      },
    ];
    const found = findLeaks({ allocations: [alloc], hosts, pools: poolInput }, now, settings).filter(
      (f) => f.allocationId === alloc.id,
    );
    const online = new Set(hosts.filter((h) => h.status === "online").map((h) => h.id));
    // Live: on a container of an online host. The endpoint's own container seen from ANOTHER host is a
    // runtime shared between hosts (a lab), not a sign of life of the endpoint on its own host.
    const own = alloc.attachment ? `${alloc.attachment.runtime}:${alloc.attachment.ref}` : null;
    const live = (found[0]?.evidence.seen ?? []).filter(
      (s) =>
        online.has(s.hostId) &&
        s.container !== null &&
        !(s.container === own && s.hostId !== alloc.attachment?.hostId),
    );
    if (!alloc.attachment) {
      throw conflict(
        `${address} in pool ${pool.name} is not held by an attachment; nothing to verify (use the IPAM release for manual allocations)`,
        "address",
        { allocationId: alloc.id },
      );
    }
    if (found.length === 0) {
      throw conflict(
        `${address} in pool ${pool.name} is not leaked any more: ${alloc.attachment.runtime}:${alloc.attachment.ref} ${alloc.attachment.ifname} is present on its host${alloc.attachment.status === "pending" ? " (attach in progress)" : ""}; release refused`,
        "address",
        { allocationId: alloc.id, attachmentId: alloc.attachment.id },
      );
    }
    if (live.length > 0) {
      throw conflict(
        `${address} is live on ${live.map((s) => `${s.hostName ?? s.hostId} ${s.container} ${s.ifname}`).join(", ")}; release refused`,
        "address",
        { allocationId: alloc.id, seen: live },
      );
    }
    const verification = found.map((f) => `${f.kind}: ${f.evidence.detail}`).join("; ");

    // The endpoint leaves the host's desired state: the intent locks first (network, host and its
    // VXLAN peers), then IPAM's rules for the release (the block owner's lock, cooldown, empty-block grace).
    const att = alloc.attachment;
    const network = await tx.network.findUniqueOrThrow({
      where: { id: att.networkId },
      select: { driver: true },
    });
    const lock = await lockIntent(tx, {
      hostId: att.hostId,
      networkId: att.networkId,
      driver: network.driver,
    });
    const owner = await tx.addressBlock.findUnique({
      where: { poolId_index: { poolId: pool.id, index: block.toString() } },
      select: { hostId: true },
    });
    if (owner?.hostId) await lockHostInPool(tx, pool.id, owner.hostId);
    const until = reusableAt(now, pool.cooldownSeconds);
    const updated = await tx.addressAllocation.updateMany({
      where: { id: alloc.id, releasedAt: null },
      data: { releasedAt: now, reusableAt: until, releasedBy: actorLabel(actor), releaseReason: reason },
    });
    if (updated.count !== 1) throw conflict(`${address} was released meanwhile`, "address");
    await tx.$executeRaw`
      UPDATE "AddressBlock" SET "emptySince" = ${ts(now)}
      WHERE "poolId" = ${pool.id} AND "index" = ${num(block)} AND NOT EXISTS (
        SELECT 1 FROM "AddressAllocation"
        WHERE "poolId" = ${pool.id} AND "blockIndex" = ${num(block)} AND "heldOffset" IS NOT NULL AND "releasedAt" IS NULL)`;

    const findings = await tx.leakFinding.findMany({
      where: { allocationId: alloc.id, state: { in: ["pending", "open"] } },
      select: { id: true },
    });
    const findingIds = findings.map((f) => f.id);
    const release = await tx.leakRelease.create({
      data: {
        poolId: pool.id,
        address,
        allocationId: alloc.id,
        attachmentId: att.id,
        hostId,
        findingIds,
        reason,
        actorType: actor.type,
        actorId: actor.id,
        releasedBy: actorLabel(actor),
        releasedAt: now,
        reusableAt: until,
        verification,
      },
    });
    if (findingIds.length > 0) {
      await tx.leakFinding.updateMany({
        where: { id: { in: findingIds } },
        data: { state: "released", releasedAt: now, releaseId: release.id, activeKey: null },
      });
    }
    const written = await writeIntent(tx, lock, {
      kind: "detach",
      attachmentId: att.id,
      actor,
      now,
      reason: `leak release: ${reason}`,
      audit: {
        action: "leak.release",
        reason,
        target: { type: "allocation", id: alloc.id },
        details: {
          pool: pool.name,
          address,
          releaseId: release.id,
          attachmentId: att.id,
          hostId,
          reusableAt: until.toISOString(),
          verification,
        },
      },
      write: (serial) =>
        tx.attachment.update({
          where: { id: att.id },
          data: {
            status: "detached",
            detachRequestedAt: now,
            detachedAt: now,
            activeKey: null,
            liveStickyKey: null,
            serial,
            error: `released as leaked by ${actorLabel(actor)}: ${reason}`.slice(0, 1000),
          },
        }),
    });
    const names = await namesFor(tx, [release]);
    return {
      release: toReleaseDto(release, names),
      hostIds: written.hostIds,
      attachmentIds: [att.id],
      operationIds: [written.operation.id],
      findingIds,
    };
  }, LEAK_TX);
}

/** Releases several addresses, each on its own (one refused does not stop the others). */
export async function releaseLeaks(
  ctx: ServiceContext,
  actor: Actor,
  items: readonly LeakReleaseItem[],
  reason: string,
  settings: Pick<LeakSettings, "hostOfflineGraceMs">,
): Promise<{ outcomes: LeakReleaseOutcome[]; changes: LeakReleaseChange[]; errors: DomainError[] }> {
  const outcomes: LeakReleaseOutcome[] = [];
  const changes: LeakReleaseChange[] = [];
  const errors: DomainError[] = [];
  for (const item of items) {
    try {
      const change = await releaseLeak(ctx, actor, item, reason, settings);
      changes.push(change);
      outcomes.push({ ...item, ok: true, release: change.release, error: null });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      errors.push(err);
      outcomes.push({
        ...item,
        ok: false,
        release: null,
        error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
      });
    }
  }
  return { outcomes, changes, errors };
}

/**
 * Undoes a release while the address still cools down and nobody else took it: the allocation holds
 * the address again and its attachment is wanted again (pending: the agent re-creates the endpoint).
 */
export async function undoLeakRelease(
  ctx: ServiceContext,
  actor: Actor,
  releaseId: string,
  reason: string | null,
): Promise<LeakReleaseChange> {
  try {
    return await ctx.prisma.$transaction(async (tx) => {
      await lockLeaks(tx);
      const now = ctx.now();
      const rel = await tx.leakRelease.findUnique({ where: { id: releaseId } });
      if (!rel) throw notFound(`release ${releaseId}`, "id");
      if (rel.undoneAt) throw conflict(`release ${releaseId} was already undone`, "id");
      // The intent locks before the allocation's row lock: the order every change of intent takes.
      const att = rel.attachmentId
        ? await tx.attachment.findUnique({ where: { id: rel.attachmentId }, include: { network: true } })
        : null;
      const restore = att?.status === "detached" ? att : null;
      const lock = restore
        ? await lockIntent(tx, {
            hostId: restore.hostId,
            networkId: restore.networkId,
            driver: restore.network.driver,
          })
        : null;
      const [row] = await tx.$queryRaw<
        { id: string; held: boolean; released: boolean; cooling: boolean; blockIndex: string }[]
      >`SELECT "id", "heldOffset" IS NOT NULL AS held, "releasedAt" IS NOT NULL AS released,
          coalesce("reusableAt" > ${ts(now)}, false) AS cooling, "blockIndex"::text AS "blockIndex"
        FROM "AddressAllocation" WHERE "id" = ${rel.allocationId} FOR UPDATE`;
      if (!row?.released) throw conflict(`allocation of ${rel.address} is not released`, "id");
      if (!row.held || !row.cooling) {
        throw conflict(
          `${rel.address} is no longer free to restore: its cooldown is over or someone else took it`,
          "id",
          { reusableAt: rel.reusableAt?.toISOString() ?? null },
        );
      }
      await tx.addressAllocation.update({
        where: { id: rel.allocationId },
        data: { releasedAt: null, reusableAt: null, releasedBy: null, releaseReason: null },
      });
      await tx.$executeRaw`
        UPDATE "AddressBlock" SET "emptySince" = NULL
        WHERE "poolId" = ${rel.poolId} AND "index" = ${row.blockIndex}::numeric`;
      const updated = await tx.leakRelease.update({
        where: { id: rel.id },
        data: { undoneAt: now, undoneBy: actorLabel(actor), undoReason: reason },
      });
      const audit = {
        action: "leak.release_undo",
        reason,
        target: { type: "allocation", id: rel.allocationId },
        details: { releaseId: rel.id, address: rel.address, poolId: rel.poolId },
      };
      let change: Pick<LeakReleaseChange, "hostIds" | "attachmentIds" | "operationIds"> = {
        hostIds: [],
        attachmentIds: [],
        operationIds: [],
      };
      if (restore && lock) {
        const written = await writeIntent(tx, lock, {
          kind: "attach",
          attachmentId: restore.id,
          actor,
          now,
          reason: `undo leak release${reason ? `: ${reason}` : ""}`,
          audit,
          write: (serial) =>
            tx.attachment.update({
              where: { id: restore.id },
              data: {
                status: "pending",
                activeKey: activeKeyOf(
                  restore.hostId,
                  restore.containerRuntime,
                  restore.containerRef,
                  restore.ifname,
                ),
                liveStickyKey: liveStickyKeyOf(restore.poolId, restore.stickyKey),
                detachRequestedAt: null,
                detachedAt: null,
                error: null,
                appliedAt: null,
                serial,
              },
            }),
        });
        change = {
          hostIds: written.hostIds,
          attachmentIds: [restore.id],
          operationIds: [written.operation.id],
        };
      } else {
        await recordAudit(tx, {
          actor,
          ...audit,
          targetType: audit.target.type,
          targetId: audit.target.id,
          at: now,
        });
      }
      const names = await namesFor(tx, [updated]);
      return { release: toReleaseDto(updated, names), ...change, findingIds: [] };
    }, LEAK_TX);
  } catch (err) {
    if (sqlStateOf(err) === "23505") {
      throw conflict(
        "the container's interface has been attached again meanwhile; the release cannot be undone",
        "id",
      );
    }
    throw err;
  }
}
