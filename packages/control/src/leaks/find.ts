import { type Cidr, contains, parseAddress, parseCidr } from "@switchyard/ipam";
import {
  type Inventory,
  type LeakEvidence,
  type LeakKind,
  type LeakSighting,
  refNamesContainer,
} from "@switchyard/protocol";

/**
 * The leak check itself, a pure function: every active allocation compared with what the agents
 * report, plus every address of a managed subnet seen on a host. No database, no clock: `now` and
 * the settings are arguments, so the same input always gives the same findings.
 */

export interface LeakCheckAttachment {
  id: string;
  hostId: string;
  networkId: string;
  runtime: string;
  ref: string;
  ifname: string;
  address: string;
  mac: string | null;
  /** pending | applied | failed | detaching | detached */
  status: string;
  createdAt: Date;
  appliedAt: Date | null;
  /** The CNI runtime's container id when a CNI ADD made it (null or absent otherwise). */
  cniContainerId?: string | null;
}

export interface LeakCheckAllocation {
  id: string;
  poolId: string;
  address: string;
  hostId: string | null;
  networkId: string | null;
  allocatedAt: Date;
  /** The live (not detached) attachment holding the allocation, if any. */
  attachment: LeakCheckAttachment | null;
}

export interface LeakCheckHost {
  id: string;
  name: string;
  /** pending | online | offline | revoked */
  status: string;
  lastSeenAt: Date | null;
  inventory: { collectedAt: Date; receivedAt: Date; snapshot: Inventory } | null;
}

export interface LeakCheckPool {
  id: string;
  name: string;
  cidr: string;
  gateway: string | null;
  /** Inclusive ranges never handed out automatically (canonical text). */
  reserved: readonly { first: string; last?: string }[];
}

export interface LeakCheckInput {
  allocations: readonly LeakCheckAllocation[];
  hosts: readonly LeakCheckHost[];
  pools: readonly LeakCheckPool[];
}

export interface LeakCheckSettings {
  /** A host is reported offline only after it was last seen this long ago. */
  hostOfflineGraceMs: number;
}

/** One finding of one run, before persistence. `key` identifies the same problem across runs. */
export interface RawFinding {
  key: string;
  kind: LeakKind;
  poolId: string | null;
  address: string;
  allocationId: string | null;
  attachmentId: string | null;
  networkId: string | null;
  hostId: string | null;
  container: string | null;
  ifname: string | null;
  evidence: LeakEvidence;
}

interface Sighting extends LeakSighting {
  poolId: string;
  /** The container's runtime:ref spellings that identify it (id, name). */
  containerIds: readonly string[];
}

interface PoolMatcher {
  pool: LeakCheckPool;
  cidr: Cidr;
  ignore: Set<string>;
  ranges: { first: bigint; last: bigint }[];
  /** The same for an IPv4 pool as plain numbers (exact below 2^53): the check's hot path. */
  v4: { network: number; end: number; ranges: { first: number; last: number }[] } | null;
}

/**
 * A dotted-quad IPv4 address as a number, or -1 when the text is anything else (then the general
 * parser decides). Accepts exactly what `parseIpv4` accepts, without allocating: it runs for every
 * address of every inventory.
 */
export function ipv4Number(text: string): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + part;
      dots++;
      part = 0;
      digits = 0;
      continue;
    }
    if (c < 48 || c > 57) return -1;
    if (digits === 1 && part === 0) return -1; // a leading zero (octal to some tools)
    part = part * 10 + (c - 48);
    digits++;
    if (part > 255) return -1;
  }
  if (digits === 0 || dots !== 3) return -1;
  return value * 256 + part;
}

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);

function matchers(pools: readonly LeakCheckPool[]): PoolMatcher[] {
  const out: PoolMatcher[] = [];
  for (const pool of pools) {
    let cidr: Cidr;
    try {
      cidr = parseCidr(pool.cidr);
    } catch {
      continue;
    }
    const ignore = new Set<string>();
    if (pool.gateway) ignore.add(pool.gateway);
    const ranges: { first: bigint; last: bigint }[] = [];
    for (const r of pool.reserved) {
      try {
        const first = parseAddress(r.first).value;
        const last = parseAddress(r.last ?? r.first).value;
        ranges.push({ first, last });
      } catch {
        // a malformed range reserves nothing
      }
    }
    const v4 =
      cidr.family === 4
        ? {
            network: Number(cidr.network),
            end: Number(cidr.network + cidr.size),
            ranges: ranges.map((r) => ({ first: Number(r.first), last: Number(r.last) })),
          }
        : null;
    out.push({ pool, cidr, ignore, ranges, v4 });
  }
  return out;
}

function poolOf(ms: readonly PoolMatcher[], address: string): PoolMatcher | null {
  const n = ipv4Number(address);
  if (n >= 0) {
    for (const m of ms) {
      const v = m.v4;
      if (!v || n < v.network || n >= v.end) continue;
      if (n === v.network) return null; // network address
      if (m.ignore.has(address)) return null;
      if (v.ranges.some((r) => n >= r.first && n <= r.last)) return null;
      return m;
    }
    return null;
  }
  let parsed: ReturnType<typeof parseAddress>;
  try {
    parsed = parseAddress(address);
  } catch {
    return null;
  }
  for (const m of ms) {
    if (m.cidr.family !== parsed.family || !contains(m.cidr, parsed)) continue;
    if (parsed.value === m.cidr.network) return null; // network address
    if (m.ignore.has(address)) return null;
    if (m.ranges.some((r) => parsed.value >= r.first && parsed.value <= r.last)) return null;
    return m;
  }
  return null;
}

const containerLabel = (runtime: string, ref: string) => `${runtime}:${ref}`;

type InvContainer = Inventory["containers"][number];
const containerIndexes = new WeakMap<Inventory, Map<string, InvContainer>>();

/** Whether a host's inventory container is the attachment's container (Docker id, short id or name). */
function findContainer(inventory: Inventory, runtime: string, ref: string): InvContainer | null {
  let index = containerIndexes.get(inventory);
  if (!index) {
    index = new Map();
    for (const c of inventory.containers) {
      index.set(`${c.runtime}|${c.id}`, c);
      if (!index.has(`${c.runtime}|${c.name}`)) index.set(`${c.runtime}|${c.name}`, c);
    }
    containerIndexes.set(inventory, index);
  }
  // Exact names and ids from the index; only a short Docker id needs the scan.
  const hit = index.get(`${runtime}|${ref}`);
  if (hit || runtime !== "docker" || ref.length < 12) return hit ?? null;
  return inventory.containers.find((c) => refNamesContainer(runtime, ref, c)) ?? null;
}

const sameAddress = (a: string, b: string): boolean => {
  if (a === b) return true;
  try {
    const x = parseAddress(a);
    const y = parseAddress(b);
    return x.family === y.family && x.value === y.value;
  } catch {
    return false;
  }
};

export function findLeaks(input: LeakCheckInput, now: Date, settings: LeakCheckSettings): RawFinding[] {
  const findings: RawFinding[] = [];
  const ms = matchers(input.pools);
  const hostById = new Map(input.hosts.map((h) => [h.id, h]));

  // Every address of a managed subnet seen on any host, by pool + address.
  const sightings = new Map<string, Sighting[]>();
  const addSighting = (s: Sighting) => {
    const k = `${s.poolId}|${s.address}`;
    const list = sightings.get(k);
    if (list) list.push(s);
    else sightings.set(k, [s]);
  };
  for (const host of input.hosts) {
    const inv = host.inventory?.snapshot;
    if (!inv) continue;
    for (const c of inv.containers) {
      const label = containerLabel(c.runtime, c.name || c.id);
      for (const itf of c.interfaces) {
        for (const a of itf.addresses) {
          if (a.family !== "inet" && a.family !== "inet6") continue;
          const m = poolOf(ms, a.address);
          if (!m) continue;
          addSighting({
            poolId: m.pool.id,
            hostId: host.id,
            hostName: host.name,
            container: label,
            containerIds: [c.id, c.name],
            ifname: itf.name,
            address: a.address,
            mac: itf.mac,
          });
        }
      }
    }
    for (const itf of inv.interfaces) {
      for (const a of itf.addresses) {
        const m = poolOf(ms, a.address);
        if (!m) continue;
        addSighting({
          poolId: m.pool.id,
          hostId: host.id,
          hostName: host.name,
          container: null,
          containerIds: [],
          ifname: itf.name,
          address: a.address,
          mac: itf.mac,
        });
      }
    }
  }

  const hostEvidence = (host: LeakCheckHost | undefined) => ({
    hostStatus: host?.status ?? null,
    hostLastSeenAt: iso(host?.lastSeenAt),
    inventoryCollectedAt: iso(host?.inventory?.collectedAt),
    inventoryReceivedAt: iso(host?.inventory?.receivedAt),
  });
  const strip = (s: Sighting): LeakSighting => ({
    hostId: s.hostId,
    hostName: s.hostName,
    container: s.container,
    ifname: s.ifname,
    address: s.address,
    mac: s.mac,
  });

  const allocated = new Set<string>();
  for (const alloc of input.allocations) {
    allocated.add(`${alloc.poolId}|${alloc.address}`);
    const att = alloc.attachment;
    // Only allocations held by an attachment can be checked against a container; a bare IPAM
    // allocation has nothing to compare with.
    if (!att) continue;
    // An attach in flight (not yet applied by the agent) is never reported.
    if (att.status === "pending" || att.status === "detached") continue;
    const host = hostById.get(att.hostId);
    // Built only for a finding: most allocations are fine, and this loop runs for every one.
    const emit = (kind: LeakKind, detail: string, containerState: string | null) => {
      const expected = { address: att.address, mac: att.mac, ifname: att.ifname };
      const seen = (sightings.get(`${alloc.poolId}|${alloc.address}`) ?? []).map(strip);
      findings.push({
        poolId: alloc.poolId,
        address: alloc.address,
        allocationId: alloc.id,
        attachmentId: att.id,
        networkId: att.networkId,
        hostId: att.hostId,
        container: containerLabel(att.runtime, att.ref),
        ifname: att.ifname,
        kind,
        key: `${kind}|${alloc.id}`,
        evidence: { detail, ...hostEvidence(host), containerState, expected, seen },
      });
    };

    if (host?.status !== "online") {
      const last = host?.lastSeenAt ?? null;
      const since = last ? now.getTime() - last.getTime() : Number.POSITIVE_INFINITY;
      if (since >= settings.hostOfflineGraceMs) {
        const name = host?.name ?? att.hostId;
        emit(
          "host_offline",
          `host ${name} is ${host?.status ?? "gone"}${last ? `, last seen ${last.toISOString()}` : ", never seen"}`,
          null,
        );
      }
      continue;
    }
    // Detaching: the agent is removing it right now; a failed attach has nothing on the host to compare.
    if (att.status === "detaching") continue;
    const inv = host.inventory;
    if (!inv) continue;
    // The inventory predates the apply: the endpoint cannot be in it yet.
    if (att.appliedAt && inv.receivedAt.getTime() < att.appliedAt.getTime()) continue;
    const c = findContainer(inv.snapshot, att.runtime, att.ref);
    if (!c || (c.runtime === "docker" && c.state !== "running")) {
      // A CNI endpoint's namespace is the runtime's sandbox: gone without a DEL means the runtime lost it.
      const cni = att.cniContainerId ? ` (CNI container ${att.cniContainerId}, no DEL received)` : "";
      emit(
        "container_gone",
        c
          ? `${att.runtime} container ${att.ref} on ${host.name} is ${c.state}${cni}`
          : `${att.runtime} container ${att.ref} is not on ${host.name} (inventory of ${inv.collectedAt.toISOString()})${cni}`,
        c?.state ?? null,
      );
      continue;
    }
    if (att.status === "failed") continue;
    const itf = c.interfaces.find((i) => i.name === att.ifname);
    if (!itf) {
      emit(
        "interface_missing",
        `${att.ifname} is missing in ${att.runtime} container ${att.ref} on ${host.name}`,
        c.state,
      );
      continue;
    }
    const hasAddress = itf.addresses.some((a) => sameAddress(a.address, att.address));
    const others = hasAddress
      ? []
      : itf.addresses.filter((a) => poolOf(ms, a.address)?.pool.id === alloc.poolId);
    if (!hasAddress && others.length === 0) {
      emit(
        "interface_missing",
        `${att.ifname} in ${att.runtime} container ${att.ref} on ${host.name} has lost ${att.address}`,
        c.state,
      );
      continue;
    }
    if (!hasAddress) {
      emit(
        "address_mismatch",
        `${att.ifname} in ${att.runtime} container ${att.ref} on ${host.name} has ${others.map((o) => o.address).join(", ")}, not ${att.address}`,
        c.state,
      );
      continue;
    }
    if (att.mac && itf.mac && att.mac.toLowerCase() !== itf.mac.toLowerCase()) {
      emit(
        "address_mismatch",
        `${att.ifname} in ${att.runtime} container ${att.ref} on ${host.name} has MAC ${itf.mac}, not ${att.mac}`,
        c.state,
      );
    }
  }

  // Addresses nobody allocated, and addresses on two endpoints.
  for (const [k, list] of sightings) {
    const first = list[0];
    if (!first) continue;
    const endpoints = new Map<string, Sighting>();
    // One endpoint per container interface, whichever hosts report it (a container's namespace may be
    // visible from several hosts, e.g. a shared runtime); a host interface is its host's own.
    for (const s of list) {
      const key = s.container
        ? `c|${s.containerIds[0] ?? s.container}|${s.ifname}`
        : `h|${s.hostId}|${s.ifname}`;
      if (!endpoints.has(key)) endpoints.set(key, s);
    }
    if (!allocated.has(k)) {
      for (const s of endpoints.values()) {
        findings.push({
          key: `unknown_address|${s.poolId}|${s.address}|${s.hostId}|${s.container ?? ""}|${s.ifname}`,
          kind: "unknown_address",
          poolId: s.poolId,
          address: s.address,
          allocationId: null,
          attachmentId: null,
          networkId: null,
          hostId: s.hostId,
          container: s.container,
          ifname: s.ifname,
          evidence: {
            detail: `${s.address} is on ${s.container ?? "host interface"} ${s.ifname} on ${s.hostName ?? s.hostId} but nobody allocated it`,
            ...hostEvidence(hostById.get(s.hostId)),
            containerState: null,
            expected: null,
            seen: [strip(s)],
          },
        });
      }
    }
    if (endpoints.size > 1) {
      const where = [...endpoints.values()];
      findings.push({
        key: `duplicate_address|${first.poolId}|${first.address}`,
        kind: "duplicate_address",
        poolId: first.poolId,
        address: first.address,
        allocationId: null,
        attachmentId: null,
        networkId: null,
        hostId: first.hostId,
        container: first.container,
        ifname: first.ifname,
        evidence: {
          detail: `${first.address} is on ${where.length} endpoints: ${where
            .map((s) => `${s.hostName ?? s.hostId} ${s.container ?? "host"} ${s.ifname}`)
            .join("; ")}`,
          ...hostEvidence(hostById.get(first.hostId)),
          containerState: null,
          expected: null,
          seen: where.map(strip),
        },
      });
    }
  }
  return findings;
}
