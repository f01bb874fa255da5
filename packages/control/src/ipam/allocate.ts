import {
  blockOfOffset,
  canonicalAddress,
  claimableBlocks,
  lowestFreeOffset,
  offsetIn,
} from "@switchyard/ipam";
import type { AllocateBody, Allocation, AllocationSource } from "@switchyard/protocol";
import { type Actor, actorLabel } from "../audit";
import type { ServiceContext } from "../context";
import { conflict, DomainError, notFound } from "../errors";
import { type AllocationRow, toAllocationDto } from "./allocation-dto";
import {
  type AllocationRequest,
  claimBlock,
  claimedBlocks,
  lockHostInPool,
  lockStickyKey,
  ownBlocks,
  tryLockBlockClaim,
  unavailableOffsets,
} from "./block-claims";
import { exhaustedError } from "./exhausted";
import { allocateCommon, allocateFromBlocks, sqlFormatsAddresses } from "./fast";
import { describeHolder } from "./holder";
import { findPool, planOf } from "./pool-record";
import { withRetry } from "./retry";
import { type BlockMode, take } from "./take";
import { TX_OPTIONS } from "./tx";

/**
 * Hands out one address of a pool to a host:
 *  - `address`: exactly that one (in the subnet, not reserved, not held: else 422 / 409 naming the holder);
 *  - `stickyKey` seen before: its previous address while nobody else holds it;
 *  - otherwise the lowest free address of the host's blocks, then of a newly claimed block, then
 *    (if the pool allows it) of another host's block; else `pool_exhausted` with the counts.
 * Correctness rests on the database: blocks are claimed through unique (poolId, index) and addresses
 * held through unique (poolId, heldOffset); a per-host advisory lock only avoids useless contention.
 */
export async function allocateAddress(
  ctx: ServiceContext,
  actor: Actor,
  input: AllocateBody,
): Promise<Allocation> {
  if (!input.stickyKey && input.address === undefined) {
    const common = await allocateCommon(ctx.prisma, input, actorLabel(actor), ctx.now());
    if (common) return common;
    // The host's blocks and the pool are full (borrowing or exhaustion, below), or an ::/80 pool.
  }
  const pool = await findPool(ctx.prisma, input);
  const plan = planOf(pool);
  const host = await ctx.prisma.host.findUnique({ where: { id: input.hostId }, select: { id: true } });
  if (!host) throw notFound(`host ${input.hostId}`, "hostId");
  const row = await withRetry(() =>
    ctx.prisma.$transaction(async (tx) => {
      const req: AllocationRequest = {
        tx,
        pool,
        plan,
        hostId: input.hostId,
        now: ctx.now(),
        stickyKey: input.stickyKey ?? null,
        reason: input.reason ?? null,
        networkId: input.networkId ?? null,
        endpointId: input.endpointId ?? null,
        allocatedBy: actorLabel(actor),
      };
      await lockHostInPool(tx, pool.id, input.hostId);
      if (input.stickyKey) await lockStickyKey(tx, pool.id, input.stickyKey);
      return allocateInTransaction(req, input.address);
    }, TX_OPTIONS),
  );
  return toAllocationDto(row, pool, ctx.now());
}

/**
 * `allocateAddress` inside the caller's transaction (the caller retries it on conflicts): an attach
 * writes its attachment in the same transaction, so a failed attach leaves no allocation behind and
 * never has to release anything afterwards. The pool comes from `findPool`.
 */
export async function allocateInOpenTransaction(
  tx: AllocationRequest["tx"],
  pool: Awaited<ReturnType<typeof findPool>>,
  actor: Actor,
  now: Date,
  input: Omit<AllocateBody, "pool" | "poolId">,
): Promise<AllocationRow> {
  const req: AllocationRequest = {
    tx,
    pool,
    plan: planOf(pool),
    hostId: input.hostId,
    now,
    stickyKey: input.stickyKey ?? null,
    reason: input.reason ?? null,
    networkId: input.networkId ?? null,
    endpointId: input.endpointId ?? null,
    allocatedBy: actorLabel(actor),
  };
  await lockHostInPool(tx, pool.id, input.hostId);
  if (input.stickyKey) await lockStickyKey(tx, pool.id, input.stickyKey);
  return allocateInTransaction(req, input.address);
}

async function allocateInTransaction(
  req: AllocationRequest,
  address: string | undefined,
): Promise<AllocationRow> {
  if (req.stickyKey) {
    const sticky = await fromStickyKey(req, address);
    if (sticky) return sticky;
  }
  if (address !== undefined) return explicitAddress(req, address);
  const fromBlocks = await fillFromBlocks(req);
  if (fromBlocks) return fromBlocks;
  if (req.pool.allowBorrow) {
    const borrowed = await fillBlocks(req, await claimedBlocks(req, "others"), "borrowed", "claimed");
    if (borrowed) return borrowed;
  }
  throw await exhaustedError(req);
}

/** The host's own blocks, then a newly claimed block: in SQL where it formats addresses as we do. */
async function fillFromBlocks(req: AllocationRequest): Promise<AllocationRow | null> {
  if (sqlFormatsAddresses(req.plan)) {
    const result = await allocateFromBlocks(req.tx, req);
    if (result.kind === "no_host") throw notFound(`host ${req.hostId}`, "hostId");
    return result.kind === "taken" ? result.row : null;
  }
  return (await fillOwnBlocks(req)) ?? (await fromNewBlock(req));
}

/** The lowest free offset of the host's own blocks, from one read (pools PostgreSQL cannot format). */
async function fillOwnBlocks(req: AllocationRequest): Promise<AllocationRow | null> {
  const own = await ownBlocks(req);
  const unavailable = own.busy;
  for (;;) {
    const offset = lowestFreeOffset(req.plan.layout, own.indices, req.plan.reserved, unavailable);
    if (offset === null) return null;
    const block = blockOfOffset(req.plan, offset);
    const known = { stale: own.stale.has(offset), blockMarkedEmpty: own.markedEmpty.has(block) };
    const result = await take(req, offset, "block", "own", known);
    if (result.kind === "taken") return result.row;
    // Someone outside this host's lock (explicit, sticky or borrowed) took it: next one.
    unavailable.add(offset);
  }
}

/** The lowest free offset of `blocks`, trying the next one whenever another process got there first. */
async function fillBlocks(
  req: AllocationRequest,
  blocks: bigint[],
  source: AllocationSource,
  mode: BlockMode,
): Promise<AllocationRow | null> {
  const unavailable = await unavailableOffsets(req, blocks);
  let candidates = blocks;
  for (;;) {
    const offset = lowestFreeOffset(req.plan.layout, candidates, req.plan.reserved, unavailable);
    if (offset === null) return null;
    const result = await take(req, offset, source, mode);
    if (result.kind === "taken") return result.row;
    if (result.kind === "held") unavailable.add(offset);
    else {
      const gone = offset / req.plan.layout.blockSize;
      candidates = candidates.filter((b) => b !== gone);
    }
  }
}

/** Claims the lowest free block (skipping any another process claims first) and takes its lowest free address. */
async function fromNewBlock(req: AllocationRequest): Promise<AllocationRow | null> {
  const claimed = await claimedBlocks(req);
  const busy: bigint[] = [];
  for (const index of claimableBlocks(req.plan.layout, claimed, req.plan.reserved)) {
    if (!(await tryLockBlockClaim(req, index))) {
      busy.push(index);
      continue;
    }
    const row = await claimAndFill(req, index);
    if (row) return row;
  }
  // Every other free block was being claimed by someone else. Before calling the pool exhausted,
  // wait for those claims to finish: one may roll back and leave its block free.
  for (const index of busy) {
    const row = await claimAndFill(req, index);
    if (row) return row;
  }
  return null;
}

async function claimAndFill(req: AllocationRequest, index: bigint): Promise<AllocationRow | null> {
  if (!(await claimBlock(req, index))) return null;
  return fillBlocks(req, [index], "block", "own");
}

async function explicitAddress(req: AllocationRequest, address: string): Promise<AllocationRow> {
  let offset: bigint;
  try {
    offset = offsetIn(req.plan, address);
  } catch {
    throw new DomainError(
      "validation_failed",
      `${address} is not an address of pool ${req.pool.name} (${req.pool.cidr})`,
      "address",
    );
  }
  if (req.plan.reserved.has(offset)) {
    throw new DomainError(
      "validation_failed",
      `${canonicalAddress(address)} is reserved in pool ${req.pool.name} (network, broadcast, gateway or a reserved range)`,
      "address",
    );
  }
  const result = await take(req, offset, "explicit", "claim");
  if (result.kind === "taken") return result.row;
  const holder = await describeHolder(req, offset);
  throw conflict(holder.message, "address", holder.details);
}

/**
 * The key's last allocation in this pool: still active -> 409 naming its holder, except that a raw
 * allocation (no endpoint) asked again on the same host gets the same allocation back (a retried
 * request; an endpoint never shares one: two containers with one key would hold one address);
 * released -> its address back unless someone else holds it now (then null: allocate normally).
 */
async function fromStickyKey(
  req: AllocationRequest,
  address: string | undefined,
): Promise<AllocationRow | null> {
  const previous = await req.tx.addressAllocation.findFirst({
    where: { poolId: req.pool.id, stickyKey: req.stickyKey },
    orderBy: [{ allocatedAt: "desc" }, { id: "desc" }],
  });
  if (!previous) return null;
  const wanted = address === undefined ? null : canonicalAddress(address);
  if (!previous.releasedAt) {
    const retried = req.endpointId === null && previous.endpointId === null && previous.hostId === req.hostId;
    if (retried && (wanted === null || wanted === previous.address)) return previous;
    const holder = previous.endpointId
      ? `attachment ${previous.endpointId}`
      : `host ${previous.hostId ?? "deleted"}`;
    throw conflict(
      `sticky key ${req.stickyKey} already holds ${previous.address} in pool ${req.pool.name} (${holder}); detach it first`,
      "stickyKey",
      {
        allocationId: previous.id,
        address: previous.address,
        hostId: previous.hostId,
        attachmentId: previous.endpointId,
      },
    );
  }
  if (wanted !== null) return null;
  const offset = BigInt(previous.offset.toString());
  if (req.plan.reserved.has(offset)) return null;
  const result = await take(req, offset, "sticky", "claim");
  return result.kind === "taken" ? result.row : null;
}
