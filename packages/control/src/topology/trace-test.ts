import { contains, parseAddress, parseCidr } from "@switchyard/ipam";
import {
  type Container,
  type ContainerRef,
  inventorySchema,
  type PingRequest,
  type PingResult,
  refNamesContainer,
  type TraceTestBody,
  type TraceTestDirection,
  type TraceTestResult,
  WANTED_ATTACHMENT_STATUSES,
} from "@switchyard/protocol";
import type { ServiceContext } from "../context";
import { DomainError, notFound } from "../errors";

/** Asks a host's agent to ping from inside a container (the hub's pingFrom); rejects when it cannot. */
export type PingFrom = (hostId: string, request: PingRequest) => Promise<PingResult>;

/** What the address choice needs of a live attachment. */
export interface AttachedAddress {
  networkId: string;
  networkName: string;
  containerRuntime: string;
  containerRef: string;
  address: string;
}

/** Where a container can be reached: the address to ping, and the network that carries it (if known). */
export interface TestAddresses {
  from: string;
  to: string;
  network: string | null;
}

const isUsable = (address: string) =>
  !address.startsWith("127.") && address !== "::1" && !address.toLowerCase().startsWith("fe80:");

/**
 * The two addresses a trace test pings (pure): the containers' attachments to one network, else two
 * addresses of their interfaces in one subnet (what the inventories show, for containers Switchyard
 * did not attach); null when they share neither.
 */
export function chooseTestAddresses(
  from: { container: Container; attachments: readonly AttachedAddress[] },
  to: { container: Container; attachments: readonly AttachedAddress[] },
): TestAddresses | null {
  const mine = (c: Container, list: readonly AttachedAddress[]) =>
    list.filter((a) => refNamesContainer(a.containerRuntime, a.containerRef, c));
  const toAttachments = mine(to.container, to.attachments);
  for (const a of mine(from.container, from.attachments)) {
    const b = toAttachments.find((x) => x.networkId === a.networkId);
    if (b) return { from: a.address, to: b.address, network: a.networkName };
  }
  const addresses = (c: Container) =>
    c.interfaces.flatMap((i) => i.addresses).filter((a) => isUsable(a.address));
  for (const a of addresses(from.container)) {
    const subnet = parseCidr(`${a.address}/${a.prefixLength}`, { strict: false });
    const b = addresses(to.container).find((x) => {
      const parsed = parseAddress(x.address);
      return parsed.family === subnet.family && contains(subnet, parsed) && x.address !== a.address;
    });
    if (b) return { from: a.address, to: b.address, network: null };
  }
  return null;
}

interface End {
  field: "from" | "to";
  hostId: string;
  hostName: string;
  container: Container;
  ref: ContainerRef;
}

/**
 * The trace's test: both hosts' agents ping the other container's address from inside their own
 * container, at the same time, and both results are answered. Refused (409) when a host is offline,
 * its agent is not connected or too old, or the two containers share no network or subnet.
 */
export async function testTrace(
  ctx: ServiceContext,
  body: TraceTestBody,
  pingFrom: PingFrom,
): Promise<TraceTestResult> {
  if (body.from.hostId === body.to.hostId && body.from.containerId === body.to.containerId)
    throw new DomainError("validation_failed", "to: the same container as from", "to.containerId");
  const hosts = await ctx.prisma.host.findMany({
    where: { id: { in: [body.from.hostId, body.to.hostId] } },
    include: { inventory: true },
  });
  const end = (field: "from" | "to"): End => {
    const wanted = body[field];
    const host = hosts.find((h) => h.id === wanted.hostId);
    if (!host) throw notFound(`host ${wanted.hostId}`, `${field}.hostId`);
    if (host.status !== "online")
      throw new DomainError(
        "conflict",
        `${host.name} is ${host.status}: its agent cannot ping`,
        `${field}.hostId`,
      );
    const parsed = host.inventory ? inventorySchema.safeParse(host.inventory.snapshot) : null;
    const container = parsed?.success
      ? parsed.data.containers.find((c) => c.id === wanted.containerId)
      : undefined;
    if (!container)
      throw notFound(`container ${wanted.containerId} in ${host.name}'s inventory`, `${field}.containerId`);
    // The agent resolves a netns container by its namespace name (its id) and a Docker one by its id.
    return {
      field,
      hostId: host.id,
      hostName: host.name,
      container,
      ref: { runtime: container.runtime, ref: container.id },
    };
  };
  const from = end("from");
  const to = end("to");

  const rows = await ctx.prisma.attachment.findMany({
    where: { hostId: { in: [from.hostId, to.hostId] }, status: { in: [...WANTED_ATTACHMENT_STATUSES] } },
    select: {
      hostId: true,
      networkId: true,
      containerRuntime: true,
      containerRef: true,
      address: true,
      network: { select: { name: true } },
    },
  });
  const attached = (hostId: string): AttachedAddress[] =>
    rows.filter((r) => r.hostId === hostId).map((r) => ({ ...r, networkName: r.network.name }));
  const addresses = chooseTestAddresses(
    { container: from.container, attachments: attached(from.hostId) },
    { container: to.container, attachments: attached(to.hostId) },
  );
  if (!addresses)
    throw new DomainError(
      "conflict",
      `${from.container.name} and ${to.container.name} share no network or subnet: no address to ping`,
      "to.containerId",
    );

  const direction = async (src: End, dst: End, address: string): Promise<TraceTestDirection> => {
    let result: PingResult;
    try {
      result = await pingFrom(src.hostId, {
        container: src.ref,
        address,
        count: body.count,
        timeoutMs: 2_000,
      });
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new DomainError("conflict", `cannot ping from ${src.hostName}: ${why}`, `${src.field}.hostId`);
    }
    return {
      ...result,
      fromHost: src.hostName,
      fromContainer: src.container.name,
      toHost: dst.hostName,
      toContainer: dst.container.name,
      address,
      ok: result.error === null && result.received > 0,
    };
  };
  const settled = await Promise.allSettled([
    direction(from, to, addresses.to),
    direction(to, from, addresses.from),
  ]);
  const directions: TraceTestDirection[] = [];
  for (const s of settled) {
    if (s.status === "rejected") throw s.reason;
    directions.push(s.value);
  }
  return { network: addresses.network, directions, ok: directions.every((d) => d.ok) };
}
