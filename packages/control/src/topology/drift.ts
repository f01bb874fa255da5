import {
  type AttachmentStatus,
  type Container,
  type DriftItem,
  type Inventory,
  type NetworkDriver,
  refNamesContainer,
} from "@switchyard/protocol";

/** A network as one host should carry it (its host override applied: see `effectiveSettings`). */
export interface DriftNetwork {
  id: string;
  name: string;
  driver: NetworkDriver;
  bridgeName: string | null;
  uplink: string | null;
  vlan: number | null;
}

/** An attachment the control plane wants on the host (pending, applied or failed). */
export interface DriftEndpoint {
  id: string;
  networkId: string;
  status: AttachmentStatus;
  error: string | null;
  runtime: string;
  ref: string;
  ifname: string;
  address: string;
  /** The veth host end the agent reported when it applied the endpoint (null: macvlan, or not yet). */
  hostIfname: string | null;
}

type Fields = Partial<Omit<DriftItem, "kind" | "text">>;

const item = (kind: DriftItem["kind"], text: string, fields: Fields): DriftItem => ({
  kind,
  attachmentId: null,
  networkId: null,
  container: null,
  containerId: null,
  ifname: null,
  bridge: null,
  port: null,
  expected: null,
  actual: null,
  ...fields,
  text,
});

const label = (e: Pick<DriftEndpoint, "runtime" | "ref">) => `${e.runtime}:${e.ref}`;

/**
 * Where the host's latest inventory differs from what Switchyard wants there (pure). Per applied
 * endpoint: its container interface and veth host end exist and are each other's peer (missing_veth),
 * the host end is a port of the network's bridge (missing_port) with the network's OVS tag (wrong_tag);
 * per OVS network in use: its uplink is a trunk of the bridge carrying the VLAN (missing_port,
 * vlan_not_on_trunk); any interface but the endpoint's own carrying an endpoint's address
 * (unknown_interface_with_managed_address); failed endpoints (failed). Pending endpoints are on their
 * way and count as nothing yet; without an inventory only failed ones can be told.
 */
export function findDrift(
  endpoints: readonly DriftEndpoint[],
  networks: readonly DriftNetwork[],
  inventory: Inventory | null,
): DriftItem[] {
  const byId = new Map(networks.map((n) => [n.id, n]));
  const sorted = [...endpoints].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const items: DriftItem[] = [];
  for (const e of sorted) {
    if (e.status === "failed") {
      items.push(
        item("failed", `${label(e)} ${e.ifname}: the agent failed it: ${e.error ?? "no reason given"}`, {
          ...endpointFields(e),
          expected: "applied",
          actual: e.error ?? "failed",
        }),
      );
      continue;
    }
    const network = byId.get(e.networkId);
    if (e.status !== "applied" || !inventory || !network) continue;
    items.push(...endpointDrift(e, network, inventory));
  }
  if (inventory) {
    items.push(...trunkDrift(sorted, byId, inventory));
    items.push(...strayAddresses(sorted, inventory));
  }
  return items;
}

const endpointFields = (e: DriftEndpoint, container?: Container): Fields => ({
  attachmentId: e.id,
  networkId: e.networkId,
  container: label(e),
  containerId: container?.id ?? null,
  ifname: e.ifname,
  port: e.hostIfname,
});

function endpointDrift(e: DriftEndpoint, network: DriftNetwork, inventory: Inventory): DriftItem[] {
  const container = inventory.containers.find((c) => refNamesContainer(e.runtime, e.ref, c));
  const fields = endpointFields(e, container);
  const where = `${e.ifname} in ${label(e)}`;
  if (!container) {
    return [
      item("missing_veth", `${where}: the container is not in the inventory`, {
        ...fields,
        expected: where,
        actual: "no such container",
      }),
    ];
  }
  const inside = container.interfaces.find((i) => i.name === e.ifname);
  if (network.driver === "macvlan") {
    if (inside) return [];
    return [
      item("missing_veth", `${where}: the macvlan interface is gone`, {
        ...fields,
        expected: `macvlan ${where}`,
        actual: "missing",
      }),
    ];
  }
  const hostEnd = e.hostIfname ? inventory.interfaces.find((i) => i.name === e.hostIfname) : undefined;
  const pairText = e.hostIfname ? `veth ${e.hostIfname} <-> ${where}` : `veth to ${where}`;
  if (!inside || (e.hostIfname && !hostEnd)) {
    const actual = !inside
      ? e.hostIfname && hostEnd
        ? `host end ${e.hostIfname} without its container side`
        : "neither end"
      : `no host end ${e.hostIfname}`;
    return [item("missing_veth", `${pairText}: ${actual}`, { ...fields, expected: pairText, actual })];
  }
  if (!hostEnd) return []; // no host end recorded (older rows): nothing more to compare
  if (inside.peerIndex !== null && inside.peerIndex !== hostEnd.index) {
    const actual = `${e.ifname}'s peer is ifindex ${inside.peerIndex}, ${e.hostIfname} is ${hostEnd.index}`;
    return [
      item("missing_veth", `${pairText}: not each other's peer`, { ...fields, expected: pairText, actual }),
    ];
  }
  const bridge = network.bridgeName;
  if (!bridge) return [];
  if (network.driver === "bridge" || network.driver === "vxlan") {
    if (hostEnd.master === bridge) return [];
    const actual = hostEnd.master ? `port of ${hostEnd.master}` : "on no bridge";
    return [
      item("missing_port", `${hostEnd.name} is not a port of bridge ${bridge} (${actual})`, {
        ...fields,
        bridge,
        expected: `port of ${bridge}`,
        actual,
      }),
    ];
  }
  // OVS: without the database's answer nothing can be told about ports.
  if (!inventory.ovs.available) return [];
  const owner = inventory.ovs.bridges.find((b) => b.ports.some((p) => p.name === hostEnd.name));
  const port = owner?.ports.find((p) => p.name === hostEnd.name);
  if (!owner || !port || owner.name !== bridge) {
    const actual = owner ? `port of ${owner.name}` : "not an OVS port";
    return [
      item("missing_port", `${hostEnd.name} is not a port of OVS bridge ${bridge} (${actual})`, {
        ...fields,
        bridge,
        expected: `port of ${bridge}`,
        actual,
      }),
    ];
  }
  if (port.tag === network.vlan) return [];
  const tag = (t: number | null) => (t === null ? "no tag" : `tag ${t}`);
  return [
    item(
      "wrong_tag",
      `${port.name} on ${bridge} has ${tag(port.tag)}, network ${network.name} wants ${tag(network.vlan)}`,
      {
        ...fields,
        bridge,
        expected: tag(network.vlan),
        actual: tag(port.tag),
      },
    ),
  ];
}

/** The uplink trunk of every OVS network with an applied endpoint: on its bridge and carrying the VLAN. */
function trunkDrift(
  endpoints: readonly DriftEndpoint[],
  networks: ReadonlyMap<string, DriftNetwork>,
  inventory: Inventory,
): DriftItem[] {
  if (!inventory.ovs.available) return [];
  const inUse = new Set(endpoints.filter((e) => e.status === "applied").map((e) => e.networkId));
  const items: DriftItem[] = [];
  const said = new Set<string>();
  const candidates = [...inUse]
    .map((id) => networks.get(id))
    .filter((n): n is DriftNetwork => n?.driver === "ovs" && n.bridgeName !== null && n.uplink !== null)
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const n of candidates) {
    const bridgeName = n.bridgeName as string;
    const uplink = n.uplink as string;
    const bridge = inventory.ovs.bridges.find((b) => b.name === bridgeName);
    if (!bridge) continue; // every endpoint on it already says so (missing_port)
    const port = bridge.ports.find((p) => p.name === uplink);
    const fields: Fields = { networkId: n.id, bridge: bridgeName, port: uplink };
    if (!port) {
      const key = `${bridgeName}|${uplink}`;
      if (said.has(key)) continue;
      said.add(key);
      items.push(
        item("missing_port", `uplink ${uplink} is not a trunk port of OVS bridge ${bridgeName}`, {
          ...fields,
          expected: `trunk port of ${bridgeName}`,
          actual: "not on the bridge",
        }),
      );
      continue;
    }
    if (n.vlan === null) continue;
    // An empty trunk list carries every VLAN (OVS's rule).
    const carries = port.tag === null && (port.trunks.length === 0 || port.trunks.includes(n.vlan));
    if (carries) continue;
    const actual =
      port.tag !== null
        ? `access port (tag ${port.tag})`
        : `trunks ${[...port.trunks].sort((a, b) => a - b).join(",")}`;
    items.push(
      item(
        "vlan_not_on_trunk",
        `uplink ${uplink} on ${bridgeName} does not carry VLAN ${n.vlan} (${actual})`,
        {
          ...fields,
          expected: `trunk carrying ${n.vlan}`,
          actual,
        },
      ),
    );
  }
  return items;
}

/** Interfaces, in containers or on the host, that carry an endpoint's address without being its interface. */
function strayAddresses(endpoints: readonly DriftEndpoint[], inventory: Inventory): DriftItem[] {
  // One address may serve endpoints on separate segments (pools of their own): any of them owns it.
  const managed = new Map<string, DriftEndpoint[]>();
  for (const e of endpoints) {
    const key = e.address.toLowerCase();
    managed.set(key, [...(managed.get(key) ?? []), e]);
  }
  if (managed.size === 0) return [];
  const items: DriftItem[] = [];
  const check = (address: string, ifname: string, container: Container | null) => {
    const owners = managed.get(address.toLowerCase());
    const e = owners?.[0];
    if (!owners || !e) return;
    if (
      container &&
      owners.some((o) => o.ifname === ifname && refNamesContainer(o.runtime, o.ref, container))
    )
      return;
    const where = container
      ? `${ifname} in ${container.runtime}:${container.name}`
      : `host interface ${ifname}`;
    items.push(
      item(
        "unknown_interface_with_managed_address",
        `${where} carries ${address}, assigned to ${e.ifname} in ${label(e)}`,
        {
          attachmentId: e.id,
          networkId: e.networkId,
          container: container ? `${container.runtime}:${container.name}` : null,
          containerId: container?.id ?? null,
          ifname: container ? ifname : null,
          port: container ? null : ifname,
          expected: `only on ${e.ifname} in ${label(e)}`,
          actual: `on ${where}`,
        },
      ),
    );
  };
  for (const c of inventory.containers)
    for (const iface of c.interfaces) for (const a of iface.addresses) check(a.address, iface.name, c);
  for (const iface of inventory.interfaces)
    for (const a of iface.addresses) check(a.address, iface.name, null);
  return items;
}
