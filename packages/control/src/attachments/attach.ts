import { randomUUID } from "node:crypto";
import { Prisma } from "@switchyard/db";
import {
  type AttachInput,
  type AttachmentOperation,
  attachBodySchema,
  type ContainerRef,
  type ContainerRuntime,
  type Inventory,
  inventorySchema,
  parseContainerText,
} from "@switchyard/protocol";
import { type Actor, recordAudit } from "../audit";
import type { Db, ServiceContext } from "../context";
import { networkProblem } from "../desired-state/build";
import { DomainError, notFound } from "../errors";
import { isTransactionConflict, withRetry } from "../ipam";
import { findNetwork } from "../networks/networks";
import { operationInclude, toOperationDto } from "../operations/dto";
import { type AddressAllocator, ipamAllocator } from "./allocator";
import { activeKeyOf, attachmentInclude, toAttachmentDto } from "./dto";

/** What attach and detach return: the attachment, its operation, and every host whose desired state changed. */
export interface AttachmentChange extends AttachmentOperation {
  /** Hosts whose desiredSerial was bumped (the attachment's host, plus VXLAN peers): push their state. */
  hostIds: string[];
}

export interface AttachDeps {
  allocator?: AddressAllocator;
}

/** Runs a transaction again when PostgreSQL aborted it for a deadlock or a serialization failure. */
export const retryTransaction = <T>(fn: () => Promise<T>): Promise<T> =>
  withRetry(fn, 5, isTransactionConflict);

const actorLabel = (actor: Actor): string => actor.name ?? actor.id ?? actor.type;

function validationError(error: { issues: { path: PropertyKey[]; message: string }[] }): DomainError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join(".") || "body";
  return new DomainError("validation_failed", `${field}: ${issue?.message ?? "invalid"}`, field);
}

/**
 * The container of an attach request. Text `docker:X` / `netns:X` says it; a bare name is the named
 * network namespace when the host's latest inventory lists one of that name, a Docker container otherwise.
 */
export function resolveContainer(
  container: ContainerRef | string,
  inventory: Inventory | null,
): ContainerRef {
  if (typeof container !== "string") return container;
  const { runtime, ref } = parseContainerText(container);
  if (runtime) return { runtime, ref };
  const isNetns = inventory?.namespaces.includes(ref) ?? false;
  return { runtime: (isNetns ? "netns" : "docker") as ContainerRuntime, ref };
}

/** Bumps the host's desired serial (row lock: changes of one host are serialized); returns the new serial. */
export async function bumpSerial(db: Db, hostId: string): Promise<number> {
  const host = await db.host.update({
    where: { id: hostId },
    data: { desiredSerial: { increment: 1 } },
    select: { desiredSerial: true },
  });
  return host.desiredSerial;
}

/** Other hosts with a wanted endpoint on a VXLAN network: their peer list changes with this host's. */
async function bumpVxlanPeers(db: Db, networkId: string, driver: string, hostId: string): Promise<string[]> {
  if (driver !== "vxlan") return [];
  const rows = await db.attachment.findMany({
    where: { networkId, hostId: { not: hostId }, status: { in: ["pending", "applied", "failed"] } },
    select: { hostId: true },
    distinct: ["hostId"],
  });
  const ids = rows.map((r) => r.hostId).sort();
  for (const id of ids) await bumpSerial(db, id);
  return ids;
}

/**
 * Attaches a container to a network on a host: checks the request (each problem names its field),
 * allocates the address from the network's IPAM pool, then in ONE transaction creates the attachment
 * and its `attach` operation, bumps the host's desired serial (and its VXLAN peers') and records the
 * audit event. If that transaction fails the address is released again. The caller pushes the desired
 * state of `hostIds`.
 */
export async function attachContainer(
  ctx: ServiceContext,
  actor: Actor,
  input: AttachInput,
  deps: AttachDeps = {},
): Promise<AttachmentChange> {
  const allocator = deps.allocator ?? ipamAllocator;
  const parsed = attachBodySchema.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error);
  const body = parsed.data;

  const host = await ctx.prisma.host.findFirst({
    where: { OR: [{ id: body.host }, { name: body.host }] },
    include: { inventory: true },
  });
  if (!host) throw notFound(`host ${body.host}`, "host");
  if (host.status === "revoked") throw new DomainError("conflict", `host ${host.name} is revoked`, "host");
  const network = await findNetwork(ctx.prisma, body.network, "network");
  const inventoryParsed = host.inventory ? inventorySchema.safeParse(host.inventory.snapshot) : null;
  const inventory = inventoryParsed?.success ? inventoryParsed.data : null;
  const container = resolveContainer(body.container, inventory);
  if (body.setDefaultRoute && !network.gateway) {
    throw new DomainError(
      "validation_failed",
      `setDefaultRoute: network ${network.name} has no gateway`,
      "setDefaultRoute",
    );
  }
  const problem = networkProblem(network, { id: host.id, desiredSerial: host.desiredSerial, inventory });
  if (problem) {
    const field = network.driver === "macvlan" ? "network.uplink" : "network.hostOverrides";
    throw new DomainError("validation_failed", problem, field, { network: network.name, host: host.name });
  }
  const activeKey = activeKeyOf(host.id, container.runtime, container.ref, body.ifname);
  const holder = await ctx.prisma.attachment.findUnique({ where: { activeKey }, include: attachmentInclude });
  if (holder) throw slotTaken(holder.id, holder.network.name, container, body.ifname, host.name);

  const attachmentId = randomUUID();
  const allocated = await allocator.allocate(ctx, actor, {
    poolId: network.poolId,
    hostId: host.id,
    networkId: network.id,
    attachmentId,
    address: body.address,
    stickyKey: body.stickyKey,
    reason: body.reason ?? `attach ${container.runtime}:${container.ref} ${body.ifname} to ${network.name}`,
  });

  const now = ctx.now();
  try {
    return await retryTransaction(() =>
      ctx.prisma.$transaction(async (tx) => {
        const still = await tx.$queryRaw<{ id: string }[]>`
        SELECT "id" FROM "Network" WHERE "id" = ${network.id} FOR SHARE`;
        if (still.length === 0) throw notFound(`network ${body.network}`, "network");
        const serial = await bumpSerial(tx, host.id);
        const attachment = await tx.attachment.create({
          data: {
            id: attachmentId,
            networkId: network.id,
            hostId: host.id,
            containerRuntime: container.runtime,
            containerRef: container.ref,
            ifname: body.ifname,
            address: allocated.address,
            prefixLength: network.prefixLength,
            mac: body.mac ?? null,
            setDefaultRoute: body.setDefaultRoute,
            stickyKey: body.stickyKey ?? null,
            status: "pending",
            poolId: network.poolId,
            allocationId: allocated.allocationId,
            reason: body.reason ?? null,
            activeKey,
            serial,
            createdAt: now,
            createdBy: actorLabel(actor),
          },
          include: attachmentInclude,
        });
        const operation = await tx.operation.create({
          data: {
            kind: "attach",
            attachmentId,
            hostId: host.id,
            networkId: network.id,
            status: "pending",
            requestedBy: actorLabel(actor),
            reason: body.reason ?? null,
            serial,
            createdAt: now,
          },
          include: operationInclude,
        });
        const peers = await bumpVxlanPeers(tx, network.id, network.driver, host.id);
        await recordAudit(tx, {
          actor,
          action: "attachment.attach",
          targetType: "attachment",
          targetId: attachmentId,
          reason: body.reason ?? null,
          details: {
            host: host.name,
            network: network.name,
            container: `${container.runtime}:${container.ref}`,
            ifname: body.ifname,
            address: allocated.address,
            operationId: operation.id,
            serial,
          },
          at: now,
        });
        return {
          attachment: toAttachmentDto(attachment),
          operation: toOperationDto(operation),
          hostIds: [host.id, ...peers],
        };
      }),
    );
  } catch (err) {
    await allocator
      .release(ctx, actor, {
        poolId: network.poolId,
        allocationId: allocated.allocationId,
        address: allocated.address,
        reason: `attach failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500),
      })
      .catch(() => undefined);
    if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002") {
      const other = await ctx.prisma.attachment.findUnique({
        where: { activeKey },
        include: attachmentInclude,
      });
      throw slotTaken(other?.id ?? "?", other?.network.name ?? "?", container, body.ifname, host.name);
    }
    throw err;
  }
}

function slotTaken(id: string, network: string, c: ContainerRef, ifname: string, host: string): DomainError {
  return new DomainError(
    "conflict",
    `${c.runtime}:${c.ref} on host ${host} already has ${ifname} attached (attachment ${id}, network ${network}); choose another ifname or detach it first`,
    "ifname",
    { attachmentId: id },
  );
}

/**
 * Asks for an attachment to go: marks it `detaching` (its endpoint leaves the host's desired state),
 * bumps the serial, records a `detach` operation. The address is released when the agent reports the
 * endpoint gone (see applyDesiredStateResult). Asking again while detaching returns the pending detach.
 */
export async function detachAttachment(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  reason: string | null = null,
): Promise<AttachmentChange> {
  const now = ctx.now();
  return retryTransaction(() =>
    ctx.prisma.$transaction(async (tx) => {
      const found = await tx.attachment.findUnique({ where: { id }, include: { network: true } });
      if (!found) throw notFound(`attachment ${id}`, "id");
      // Lock the host row first (the order every change of a host takes), then re-read the attachment.
      await tx.$queryRaw`SELECT "id" FROM "Host" WHERE "id" = ${found.hostId} FOR UPDATE`;
      const current = await tx.attachment.findUniqueOrThrow({ where: { id }, include: attachmentInclude });
      if (current.status === "detached")
        throw new DomainError("conflict", `attachment ${id} is already detached`, "id");
      if (current.status === "detaching") {
        const pending = await tx.operation.findFirst({
          where: { attachmentId: id, kind: "detach" },
          orderBy: { createdAt: "desc" },
          include: operationInclude,
        });
        if (pending)
          return { attachment: toAttachmentDto(current), operation: toOperationDto(pending), hostIds: [] };
      }
      const serial = await bumpSerial(tx, current.hostId);
      const attachment = await tx.attachment.update({
        where: { id },
        data: { status: "detaching", detachRequestedAt: now, serial },
        include: attachmentInclude,
      });
      const operation = await tx.operation.create({
        data: {
          kind: "detach",
          attachmentId: id,
          hostId: current.hostId,
          networkId: current.networkId,
          status: "pending",
          requestedBy: actorLabel(actor),
          reason,
          serial,
          createdAt: now,
        },
        include: operationInclude,
      });
      const peers = await bumpVxlanPeers(tx, current.networkId, found.network.driver, current.hostId);
      await recordAudit(tx, {
        actor,
        action: "attachment.detach",
        targetType: "attachment",
        targetId: id,
        reason,
        details: {
          host: current.host.name,
          network: current.network.name,
          container: `${current.containerRuntime}:${current.containerRef}`,
          ifname: current.ifname,
          address: current.address,
          operationId: operation.id,
          serial,
        },
        at: now,
      });
      return {
        attachment: toAttachmentDto(attachment),
        operation: toOperationDto(operation),
        hostIds: [current.hostId, ...peers],
      };
    }),
  );
}
