import {
  type FleetDriver,
  type FleetHost,
  fleetDriverSchema,
  type HostStatus,
  hostStatusSchema,
} from "@switchyard/protocol";

/** How the overview groups hosts: by the L2 segment they hang on, their subnet, a name prefix, status. */
export const GROUP_BYS = ["uplink", "subnet", "label", "status"] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** What the map shows; every field lives in the URL so a view can be shared (`?vlan=100&leaks=1`). */
export interface FleetFilters {
  vlan: number | null;
  /** A network id: only the hosts it touches, and on expanded hosts only its containers. */
  network: string | null;
  status: HostStatus | null;
  driver: FleetDriver | null;
  leaks: boolean;
  drift: boolean;
  group: GroupBy;
}

export const noFilters: FleetFilters = {
  vlan: null,
  network: null,
  status: null,
  driver: null,
  leaks: false,
  drift: false,
  group: "subnet",
};

interface ReadableParams {
  get(name: string): string | null;
}

/** Reads filters from a URL's query; anything malformed is ignored (a shared link never breaks the page). */
export function parseFilters(params: ReadableParams): FleetFilters {
  const vlan = Number(params.get("vlan"));
  const status = hostStatusSchema.safeParse(params.get("status"));
  const driver = fleetDriverSchema.safeParse(params.get("driver"));
  const group = params.get("group");
  const network = params.get("network");
  return {
    vlan: Number.isInteger(vlan) && vlan >= 1 && vlan <= 4094 ? vlan : null,
    network: network && network.length <= 64 ? network : null,
    status: status.success ? status.data : null,
    driver: driver.success ? driver.data : null,
    leaks: params.get("leaks") === "1",
    drift: params.get("drift") === "1",
    group: (GROUP_BYS as readonly string[]).includes(group ?? "") ? (group as GroupBy) : noFilters.group,
  };
}

/** The query string for filters (defaults left out), keeping unrelated parameters of `base`. */
export function filtersToQuery(filters: FleetFilters, base = ""): string {
  const params = new URLSearchParams(base);
  const set = (name: string, value: string | null) => {
    if (value === null) params.delete(name);
    else params.set(name, value);
  };
  set("vlan", filters.vlan === null ? null : String(filters.vlan));
  set("network", filters.network);
  set("status", filters.status);
  set("driver", filters.driver);
  set("leaks", filters.leaks ? "1" : null);
  set("drift", filters.drift ? "1" : null);
  set("group", filters.group === noFilters.group ? null : filters.group);
  return params.toString();
}

export function hostPassesFilters(host: FleetHost, filters: FleetFilters): boolean {
  if (filters.vlan !== null && !host.vlans.includes(filters.vlan)) return false;
  if (filters.network !== null && !host.networks.includes(filters.network)) return false;
  if (filters.status !== null && host.status !== filters.status) return false;
  if (filters.driver !== null && !host.drivers.includes(filters.driver)) return false;
  if (filters.leaks && host.leaks === 0) return false;
  if (filters.drift && host.drift === 0) return false;
  return true;
}

export function isFiltered(filters: FleetFilters): boolean {
  return (
    filters.vlan !== null ||
    filters.network !== null ||
    filters.status !== null ||
    filters.driver !== null ||
    filters.leaks ||
    filters.drift
  );
}

/** A host label from its name: what comes before its trailing number (`rack12-node07` -> `rack12-node`). */
export function nameLabel(name: string): string {
  const stem = name.replace(/[-_.]?\d+$/, "");
  return stem === "" ? name : stem;
}

/** The group a host is drawn in. */
export function groupKey(host: FleetHost, group: GroupBy): string {
  switch (group) {
    case "uplink":
      return host.uplink ?? "no uplink";
    case "subnet":
      return host.subnet ?? "no address";
    case "label":
      return nameLabel(host.name);
    case "status":
      return host.status;
  }
}
