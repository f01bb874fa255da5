import { createHash, randomUUID } from "node:crypto";
import {
  type AttachBody,
  type AttachInput,
  type AttachmentOperation,
  attachBodySchema,
  type ContainerRef,
  type ContainerRuntime,
  type Inventory,
  inventorySchema,
  parseContainerText,
} from "@switchyard/protocol";
import { type Actor, actorLabel } from "../audit";
import type { Db, ServiceContext } from "../context";
import { networkProblem } from "../desired-state/build";
import { DomainError, notFound, validationError } from "../errors";
import { byIdOrName } from "../id-or-name";
import { allocateInOpenTransaction, findPool, isTransactionConflict, withRetry } from "../ipam";
import { TX_OPTIONS } from "../ipam/tx";
import { findNetwork } from "../networks/networks";
import { operationInclude, toOperationDto } from "../operations/dto";
import { type AttachmentWithNames, activeKeyOf, attachmentInclude, toAttachmentDto } from "./dto";
import { liveStickyKeyOf, lockIntent, writeIntent } from "./intent";

/** What attach and detach return: the attachment, its operation, and every host whose desired state changed. */
export interface AttachmentChange extends AttachmentOperation {
  /** Hosts whose desiredSerial was bumped (the attachment's host, plus VXLAN peers): push their state. */
  hostIds: string[];
}

/** Runs a transaction again when PostgreSQL aborted it for a deadlock or a serialization failure. */
const retryTransaction = <T>(fn: () => Promise<T>): Promise<T> => withRetry(fn, 5, isTransactionConflict);

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

/** What a retry must repeat exactly to be answered with the first attempt's attachment. */
function requestHashOf(body: AttachBody, container: ContainerRef, hostId: string, networkId: string): string {
  const canonical = [
    hostId,
    networkId,
    container.runtime,
    container.ref,
    body.ifname,
    body.address ?? null,
    body.mac ?? null,
    body.setDefaultRoute,
    body.stickyKey ?? null,
  ];
  return createHash("sha256").update(JSON.stringify(canonical)).digest("hex");
}

/**
 * Attaches a container to a network on a host, in ONE transaction: takes the intent locks (network,
 * then the host and its VXLAN peers), answers a retried request (same idempotency key) with its first
 * attachment, refuses a taken interface or sticky key (409 naming the holder), allocates the address
 * from the network's pool, and writes attachment, operation, serials and audit through `writeIntent`.
 * Nothing is released on failure because nothing outlives a rolled-back transaction. The caller
 * pushes the desired state of `hostIds`.
 */
export async function attachContainer(
  ctx: ServiceContext,
  actor: Actor,
  input: AttachInput,
  /** Set by the CNI path (cni.ts): the runtime's container id, kept on the attachment. */
  origin: { cniContainerId?: string } = {},
): Promise<AttachmentChange> {
  const parsed = attachBodySchema.safeParse(input);
  if (!parsed.success) throw validationError(parsed.error);
  const body = parsed.data;

  const host = await ctx.prisma.host.findFirst({
    where: byIdOrName(body.host),
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
  const pool = await findPool(ctx.prisma, { poolId: network.poolId });
  const activeKey = activeKeyOf(host.id, container.runtime, container.ref, body.ifname);
  const liveStickyKey = liveStickyKeyOf(network.poolId, body.stickyKey ?? null);
  const idempotencyKey = body.idempotencyKey
    ? `${actor.type}:${actor.id ?? actor.name ?? ""}|${body.idempotencyKey}`
    : null;
  const requestHash = requestHashOf(body, container, host.id, network.id);
  const reason = body.reason ?? null;

  return retryTransaction(() =>
    ctx.prisma.$transaction(async (tx) => {
      const lock = await lockIntent(tx, { hostId: host.id, networkId: network.id, driver: network.driver });
      if (idempotencyKey) {
        const first = await replayOf(tx, idempotencyKey, requestHash);
        if (first) return first;
      }
      const holder = await tx.attachment.findUnique({ where: { activeKey }, include: attachmentInclude });
      if (holder) throw slotTaken(holder.id, holder.network.name, container, body.ifname, host.name);
      if (liveStickyKey) {
        const sticky = await tx.attachment.findUnique({
          where: { liveStickyKey },
          include: attachmentInclude,
        });
        if (sticky) throw stickyTaken(body.stickyKey ?? "", sticky);
      }
      const now = ctx.now();
      const attachmentId = randomUUID();
      const allocated = await allocateInOpenTransaction(tx, pool, actor, now, {
        hostId: host.id,
        networkId: network.id,
        endpointId: attachmentId,
        ...(body.address ? { address: body.address } : {}),
        ...(body.stickyKey ? { stickyKey: body.stickyKey } : {}),
        reason: reason ?? `attach ${container.runtime}:${container.ref} ${body.ifname} to ${network.name}`,
      });
      const written = await writeIntent(tx, lock, {
        kind: "attach",
        attachmentId,
        actor,
        now,
        reason,
        audit: {
          action: "attachment.attach",
          reason,
          details: {
            host: host.name,
            network: network.name,
            container: `${container.runtime}:${container.ref}`,
            ifname: body.ifname,
            address: allocated.address,
          },
        },
        write: (serial) =>
          tx.attachment.create({
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
              liveStickyKey,
              idempotencyKey,
              requestHash,
              status: "pending",
              poolId: network.poolId,
              allocationId: allocated.id,
              reason,
              cniContainerId: origin.cniContainerId ?? null,
              activeKey,
              serial,
              createdAt: now,
              createdBy: actorLabel(actor),
            },
            include: attachmentInclude,
          }),
      });
      return {
        attachment: toAttachmentDto(written.value),
        operation: toOperationDto(written.operation),
        hostIds: written.hostIds,
      };
    }, TX_OPTIONS),
  );
}

/** The first attempt of a retried request (same key, same body), or null; another body is refused. */
async function replayOf(
  tx: Db,
  idempotencyKey: string,
  requestHash: string,
): Promise<AttachmentChange | null> {
  const first = await tx.attachment.findUnique({ where: { idempotencyKey }, include: attachmentInclude });
  if (!first) return null;
  if (first.requestHash !== requestHash) {
    throw new DomainError(
      "validation_failed",
      `idempotencyKey: this key was used for another request (attachment ${first.id}); use a new key for a new request`,
      "idempotencyKey",
      { attachmentId: first.id },
    );
  }
  const operation = await tx.operation.findFirstOrThrow({
    where: { attachmentId: first.id, kind: "attach" },
    orderBy: { createdAt: "asc" },
    include: operationInclude,
  });
  return { attachment: toAttachmentDto(first), operation: toOperationDto(operation), hostIds: [] };
}

function stickyTaken(key: string, holder: AttachmentWithNames): DomainError {
  return new DomainError(
    "conflict",
    `sticky key ${key} is held by attachment ${holder.id} (${holder.containerRuntime}:${holder.containerRef} ${holder.ifname} on host ${holder.host.name}, ${holder.address}); detach it first`,
    "stickyKey",
    { attachmentId: holder.id, address: holder.address },
  );
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
 * Asks for an attachment to go: marks it `detaching` (its endpoint leaves the host's desired state)
 * through `writeIntent`. The address is released when the agent reports the endpoint gone (see
 * applyDesiredStateResult). Asking again while detaching returns the pending detach.
 */
export async function detachAttachment(
  ctx: ServiceContext,
  actor: Actor,
  id: string,
  reason: string | null = null,
): Promise<AttachmentChange> {
  const found = await ctx.prisma.attachment.findUnique({ where: { id }, include: { network: true } });
  if (!found) throw notFound(`attachment ${id}`, "id");
  return retryTransaction(() =>
    ctx.prisma.$transaction(async (tx) => {
      const lock = await lockIntent(tx, {
        hostId: found.hostId,
        networkId: found.networkId,
        driver: found.network.driver,
      });
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
      const now = ctx.now();
      const written = await writeIntent(tx, lock, {
        kind: "detach",
        attachmentId: id,
        actor,
        now,
        reason,
        audit: {
          action: "attachment.detach",
          reason,
          details: {
            host: current.host.name,
            network: current.network.name,
            container: `${current.containerRuntime}:${current.containerRef}`,
            ifname: current.ifname,
            address: current.address,
          },
        },
        write: (serial) =>
          tx.attachment.update({
            where: { id },
            data: { status: "detaching", detachRequestedAt: now, serial },
            include: attachmentInclude,
          }),
      });
      return {
        attachment: toAttachmentDto(written.value),
        operation: toOperationDto(written.operation),
        hostIds: written.hostIds,
      };
    }, TX_OPTIONS),
  );
}
