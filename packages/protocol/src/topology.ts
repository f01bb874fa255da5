import { z } from "zod";
import { hostStatusSchema } from "./hosts";

/**
 * The map at fleet scale: one small row per host (GET /api/v1/topology/fleet) instead of every host's
 * whole inventory; a host's bridges, ports and containers come from GET /api/v1/hosts/:id when the
 * map expands it. The rows are derived from the stored inventory once per snapshot (the server keeps
 * them by the snapshot's digest), so no request re-parses snapshots.
 */

/** How a host's containers are plugged in, as the map's driver filter sees it. */
export const fleetDriverSchema = z.enum(["bridge", "ovs", "macvlan", "vxlan"]);
export type FleetDriver = z.infer<typeof fleetDriverSchema>;

export const fleetHostSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: hostStatusSchema,
  lastSeenAt: z.string().nullable(),
  /** When the inventory the row was derived from arrived (null: no inventory yet). */
  inventoryReceivedAt: z.string().nullable(),
  /** The IPv4 network of the host's own address (its first plain NIC with one), e.g. 10.20.3.0/24. */
  subnet: z.string().nullable(),
  /**
   * The L2 segment the host hangs on as far as its inventory shows: its trunk uplinks and the VLANs
   * they carry (`ovs0/eth1 trunk all`), or its Linux bridges' uplinks (`br0/eth1`); null without any.
   */
  uplink: z.string().nullable(),
  containers: z.number().int(),
  running: z.number().int(),
  bridges: z.number().int(),
  /** VLAN tags of the host's OVS access ports, ascending. */
  vlans: z.array(z.number().int()),
  drivers: z.array(fleetDriverSchema),
  /** Ids of networks with a live attachment on the host. */
  networks: z.array(z.string()),
  /** Pending or open leak findings on the host. */
  leaks: z.number().int(),
  /**
   * Where the host differs from what Switchyard wants: the number of its drift items (drift.ts; listed
   * by GET /api/v1/hosts/:id/drift).
   */
  drift: z.number().int(),
});
export type FleetHost = z.infer<typeof fleetHostSchema>;

/** GET /api/v1/topology/fleet (every host, name order) or ?hosts=ID,ID (those hosts only). */
export const fleetSummarySchema = z.object({
  hosts: z.array(fleetHostSchema),
  generatedAt: z.string(),
});
export type FleetSummary = z.infer<typeof fleetSummarySchema>;

/** At most this many host ids per `?hosts=`: what one coalesced burst of socket events asks for. */
export const FLEET_HOSTS_QUERY_MAX = 500;

export const fleetQuerySchema = z.object({
  hosts: z
    .string()
    .max(FLEET_HOSTS_QUERY_MAX * 40)
    .transform((text) => text.split(",").filter((id) => id !== ""))
    .pipe(z.array(z.string().min(1).max(64)).min(1).max(FLEET_HOSTS_QUERY_MAX))
    .optional(),
});
export type FleetQuery = z.infer<typeof fleetQuerySchema>;

/** What a search match is: the host itself, or something on it. */
export const fleetMatchKindSchema = z.enum(["host", "container", "interface", "address", "mac", "vlan"]);
export type FleetMatchKind = z.infer<typeof fleetMatchKindSchema>;

export const fleetMatchSchema = z.object({
  hostId: z.string(),
  hostName: z.string(),
  kind: fleetMatchKindSchema,
  /** What matched (a name, an address, a MAC, `vlan 100`). */
  text: z.string(),
  /** The container the match belongs to, when it belongs to one (its inventory id). */
  containerId: z.string().nullable(),
  containerName: z.string().nullable(),
});
export type FleetMatch = z.infer<typeof fleetMatchSchema>;

export const FLEET_SEARCH_LIMIT = 50;

/** GET /api/v1/topology/search?q=: hosts, containers, addresses, MACs and VLANs, best first. */
export const fleetSearchQuerySchema = z.object({
  q: z.string().trim().min(1, "q is required").max(100),
});

export const fleetSearchResultSchema = z.object({
  matches: z.array(fleetMatchSchema),
  /** true when more matched than FLEET_SEARCH_LIMIT. */
  truncated: z.boolean(),
});
export type FleetSearchResult = z.infer<typeof fleetSearchResultSchema>;
