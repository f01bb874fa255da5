import type { PrismaClient } from "@switchyard/db";
import {
  FLEET_SEARCH_LIMIT,
  type FleetHost,
  type FleetMatch,
  type FleetSearchResult,
  type FleetSummary,
  inventorySchema,
} from "@switchyard/protocol";
import type { ServiceContext } from "../context";
import { findDrift } from "./drift";
import { type HostWanted, wantedByHost } from "./host-drift";
import {
  compareMatches,
  emptyFacts,
  type HostFacts,
  hostFacts,
  matchScore,
  type SearchEntry,
} from "./host-facts";

interface CachedFacts {
  /** The snapshot's digest (inventory.ts): a new snapshot has a new digest, an equal one is not rewritten. */
  digest: string | null;
  name: string;
  facts: HostFacts;
  /** What the drift count was derived from besides the snapshot (HostWanted.key); null: derive it again. */
  driftKey: string | null;
  drift: number;
}

/**
 * Facts per host, by snapshot digest, one map per database client (two control planes in one test
 * process keep their own). Bounded by the number of hosts: hosts that are gone are dropped on refresh.
 */
const caches = new WeakMap<PrismaClient, Map<string, CachedFacts>>();

function cacheOf(prisma: PrismaClient): Map<string, CachedFacts> {
  let cache = caches.get(prisma);
  if (!cache) {
    cache = new Map();
    caches.set(prisma, cache);
  }
  return cache;
}

interface HostRow {
  id: string;
  name: string;
  status: FleetHost["status"];
  lastSeenAt: Date | null;
  inventory: { digest: string; receivedAt: Date } | null;
}

/**
 * Brings the cache up to date for these hosts: only snapshots whose digest changed, or whose host's
 * wanted endpoints changed (`wanted`, when given), are read and parsed (one query for all of them), so
 * a fleet of unchanged hosts costs no snapshot read and no drift comparison.
 */
async function refreshFacts(
  ctx: ServiceContext,
  hosts: HostRow[],
  complete: boolean,
  wanted?: ReadonlyMap<string, HostWanted>,
) {
  const cache = cacheOf(ctx.prisma);
  const driftKey = (id: string) => wanted?.get(id)?.key ?? "";
  const stale = hosts.filter((h) => {
    const cached = cache.get(h.id);
    if (!cached || cached.digest !== (h.inventory?.digest ?? null) || cached.name !== h.name) return true;
    return wanted !== undefined && cached.driftKey !== driftKey(h.id);
  });
  const withSnapshot = stale.filter((h) => h.inventory !== null).map((h) => h.id);
  const snapshots =
    withSnapshot.length === 0
      ? []
      : await ctx.prisma.hostInventory.findMany({
          where: { hostId: { in: withSnapshot } },
          select: { hostId: true, digest: true, snapshot: true },
        });
  const byHost = new Map(snapshots.map((s) => [s.hostId, s]));
  for (const host of stale) {
    const stored = byHost.get(host.id);
    // Stored snapshots were validated on the way in; parse again so a schema change cannot leak garbage.
    const parsed = stored ? inventorySchema.safeParse(stored.snapshot) : null;
    const inventory = parsed?.success ? parsed.data : null;
    const mine = wanted?.get(host.id);
    cache.set(host.id, {
      digest: stored?.digest ?? null,
      name: host.name,
      facts: inventory ? hostFacts(host.name, inventory) : emptyFacts(host.name),
      driftKey: wanted ? driftKey(host.id) : null,
      drift: mine ? findDrift(mine.endpoints, mine.networks, inventory).length : 0,
    });
  }
  if (complete) {
    const ids = new Set(hosts.map((h) => h.id));
    for (const id of cache.keys()) if (!ids.has(id)) cache.delete(id);
  }
  return cache;
}

async function loadHosts(ctx: ServiceContext, hostIds: string[] | undefined): Promise<HostRow[]> {
  return ctx.prisma.host.findMany({
    where: hostIds ? { id: { in: hostIds } } : {},
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      status: true,
      lastSeenAt: true,
      inventory: { select: { digest: true, receivedAt: true } },
    },
  });
}

/** One row per host (or per listed host): status, counts, VLANs, networks, open leaks, drift. */
export async function getFleetSummary(
  ctx: ServiceContext,
  options: { hostIds?: string[] } = {},
): Promise<FleetSummary> {
  const { hostIds } = options;
  const hosts = await loadHosts(ctx, hostIds);
  const hostFilter = hostIds ? { hostId: { in: hostIds } } : {};
  const [wanted, leaks] = await Promise.all([
    wantedByHost(ctx.prisma, hostFilter),
    ctx.prisma.leakFinding.groupBy({
      by: ["hostId"],
      where: { ...hostFilter, state: { in: ["pending", "open"] } },
      _count: { _all: true },
    }),
  ]);
  const cache = await refreshFacts(ctx, hosts, hostIds === undefined, wanted);
  const leakCount = new Map(leaks.map((l) => [l.hostId, l._count._all]));
  return {
    hosts: hosts.map((host) => {
      const cached = cache.get(host.id);
      const facts = cached?.facts ?? emptyFacts(host.name);
      const mine = wanted.get(host.id);
      return {
        id: host.id,
        name: host.name,
        status: host.status,
        lastSeenAt: host.lastSeenAt?.toISOString() ?? null,
        inventoryReceivedAt: host.inventory?.receivedAt.toISOString() ?? null,
        subnet: facts.subnet,
        uplink: facts.uplink,
        containers: facts.containers,
        running: facts.running,
        bridges: facts.bridges,
        vlans: facts.vlans,
        drivers: facts.drivers,
        networks: mine ? [...new Set(mine.endpoints.map((e) => e.networkId))].sort() : [],
        leaks: leakCount.get(host.id) ?? 0,
        drift: cached?.drift ?? 0,
      };
    }),
    generatedAt: ctx.now().toISOString(),
  };
}

/** Hosts, containers, addresses, MACs and VLANs matching `query` (case-insensitive), best first. */
export async function searchFleet(ctx: ServiceContext, query: string): Promise<FleetSearchResult> {
  const hosts = await loadHosts(ctx, undefined);
  const cache = await refreshFacts(ctx, hosts, true);
  const q = query.trim().toLowerCase();
  const found: { score: number; entry: SearchEntry; hostName: string; hostId: string }[] = [];
  for (const host of hosts) {
    const facts = cache.get(host.id)?.facts;
    if (!facts) continue;
    for (const entry of facts.search) {
      const score = matchScore(entry, q);
      if (score !== null) found.push({ score, entry, hostName: host.name, hostId: host.id });
    }
  }
  found.sort(compareMatches);
  const matches: FleetMatch[] = found.slice(0, FLEET_SEARCH_LIMIT).map(({ entry, hostId, hostName }) => ({
    hostId,
    hostName,
    kind: entry.kind,
    text: entry.text,
    containerId: entry.containerId,
    containerName: entry.containerName,
  }));
  return { matches, truncated: found.length > FLEET_SEARCH_LIMIT };
}
