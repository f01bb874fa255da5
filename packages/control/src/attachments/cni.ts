import {
  ACTIVE_ATTACHMENT_STATUSES,
  type CniAttachment,
  type CniAttachRequest,
  type CniDetachRequest,
  type CniGcRequest,
  WANTED_ATTACHMENT_STATUSES,
} from "@switchyard/protocol";
import type { Actor } from "../audit";
import type { ServiceContext } from "../context";
import { DomainError } from "../errors";
import { findNetwork } from "../networks/networks";
import { type AttachmentChange, attachContainer, detachAttachment } from "./attach";
import { attachmentInclude, toAttachmentDto } from "./dto";

/**
 * CNI on the control plane: an agent's ADD, DEL and GC for containers on its own host, through the same
 * attach and detach services (the one write path) as the API. A CNI attachment is `netns:NAME` (the
 * runtime's pinned namespace) and keeps the runtime's container id, which is how DEL and GC find it.
 */

/** The kernel's MTU for a network that sets none. */
const DEFAULT_MTU = 1500;

export interface CniHost {
  id: string;
  name: string;
}

const agentActor = (host: CniHost): Actor => ({ type: "agent", id: host.id, name: `agent ${host.name}` });

export interface CniChange {
  attachment: CniAttachment;
  /** The attach written; empty when an ADD was answered with the container's existing attachment. */
  changes: AttachmentChange[];
  /** The host's desired serial after the change. */
  serial: number;
}

async function serialOf(ctx: ServiceContext, hostId: string): Promise<number> {
  const host = await ctx.prisma.host.findUnique({ where: { id: hostId }, select: { desiredSerial: true } });
  return host?.desiredSerial ?? 0;
}

/**
 * ADD: attaches netns:NETNS on the agent's host. A repeated ADD for the same container and interface (a
 * runtime's retry) is answered with the attachment it already has; another container in that slot is a
 * conflict, as through the API.
 */
export async function cniAttach(
  ctx: ServiceContext,
  host: CniHost,
  request: CniAttachRequest,
): Promise<CniChange> {
  const network = await findNetwork(ctx.prisma, request.network, "network");
  const mtu = network.mtu ?? DEFAULT_MTU;
  if (request.mtu !== undefined && request.mtu !== mtu) {
    throw new DomainError(
      "validation_failed",
      `mtu: the CNI config asks for ${request.mtu} but network ${network.name} has MTU ${mtu}; change the network's MTU or drop mtu from the config`,
      "mtu",
    );
  }
  let changes: AttachmentChange[] = [];
  let attachment: ReturnType<typeof toAttachmentDto>;
  try {
    const change = await attachContainer(
      ctx,
      agentActor(host),
      {
        host: host.id,
        container: { runtime: "netns", ref: request.netns },
        network: network.id,
        ifname: request.ifname,
        setDefaultRoute: request.setDefaultRoute,
        ...(request.mac ? { mac: request.mac } : {}),
        ...(request.stickyKey ? { stickyKey: request.stickyKey } : {}),
        reason: `CNI ADD of container ${request.containerId}`,
      },
      { cniContainerId: request.containerId },
    );
    changes = [change];
    attachment = change.attachment;
  } catch (error) {
    const holder =
      error instanceof DomainError && error.field === "ifname" ? error.details?.attachmentId : undefined;
    const existing =
      typeof holder === "string"
        ? await ctx.prisma.attachment.findUnique({ where: { id: holder }, include: attachmentInclude })
        : null;
    if (!existing || existing.cniContainerId !== request.containerId || existing.networkId !== network.id)
      throw error;
    attachment = toAttachmentDto(existing);
  }
  return {
    attachment: {
      id: attachment.id,
      network: network.name,
      address: attachment.address,
      prefixLength: attachment.prefixLength,
      gateway: network.gateway,
      mtu: network.mtu,
      mac: attachment.mac,
      setDefaultRoute: attachment.setDefaultRoute,
      status: attachment.status,
      hostIfname: attachment.hostIfname,
      error: attachment.error,
    },
    changes,
    serial: await serialOf(ctx, host.id),
  };
}

/** Detaches each attachment (one already detaching counts as asked; one detached meanwhile is done). */
async function detachAll(ctx: ServiceContext, host: CniHost, ids: readonly string[], reason: string) {
  const changes: AttachmentChange[] = [];
  for (const id of ids) {
    try {
      changes.push(await detachAttachment(ctx, agentActor(host), id, reason));
    } catch (error) {
      if (!(error instanceof DomainError && error.code === "conflict")) throw error;
    }
  }
  return { detached: [...ids], changes, serial: await serialOf(ctx, host.id) };
}

/** DEL: every live attachment of this container and interface on the host goes; none is fine (idempotent). */
export async function cniDetach(ctx: ServiceContext, host: CniHost, request: CniDetachRequest) {
  const rows = await ctx.prisma.attachment.findMany({
    where: {
      hostId: host.id,
      cniContainerId: request.containerId,
      ifname: request.ifname,
      status: { in: [...ACTIVE_ATTACHMENT_STATUSES] },
    },
    select: { id: true },
  });
  return detachAll(
    ctx,
    host,
    rows.map((r) => r.id),
    `CNI DEL of container ${request.containerId}`,
  );
}

/** GC (CNI 1.1): the host's CNI attachments on the network that the runtime no longer lists go. */
export async function cniGc(ctx: ServiceContext, host: CniHost, request: CniGcRequest) {
  const network = await findNetwork(ctx.prisma, request.network, "network");
  const valid = new Set(request.valid.map((v) => `${v.containerId}|${v.ifname}`));
  const rows = await ctx.prisma.attachment.findMany({
    where: {
      hostId: host.id,
      networkId: network.id,
      cniContainerId: { not: null },
      status: { in: [...WANTED_ATTACHMENT_STATUSES] },
    },
    select: { id: true, cniContainerId: true, ifname: true },
  });
  const stale = rows.filter((r) => !valid.has(`${r.cniContainerId}|${r.ifname}`)).map((r) => r.id);
  return detachAll(ctx, host, stale, "CNI GC: the runtime no longer has the container");
}
