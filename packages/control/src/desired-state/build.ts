import {
  type AttachmentStatus,
  type ContainerRuntime,
  type DesiredEndpoint,
  type DesiredNetwork,
  type DesiredState,
  type Inventory,
  type NetworkDriver,
  WANTED_ATTACHMENT_STATUSES,
} from "@switchyard/protocol";
import { underlayAddress } from "./underlay";

/** The parts of a network the builder reads (a Prisma row fits). */
export interface BuildNetwork {
  id: string;
  name: string;
  driver: NetworkDriver;
  prefixLength: number;
  gateway: string | null;
  vlan: number | null;
  vni: number | null;
  vxlanPort: number | null;
  bridgeName: string | null;
  uplink: string | null;
  mtu: number | null;
  hostOverrides: readonly BuildOverride[];
}

export interface BuildOverride {
  hostId: string;
  bridgeName: string | null;
  uplink: string | null;
  underlayAddress: string | null;
}

export interface BuildAttachment {
  id: string;
  networkId: string;
  hostId: string;
  containerRuntime: string;
  containerRef: string;
  ifname: string;
  address: string;
  prefixLength: number;
  mac: string | null;
  setDefaultRoute: boolean;
  status: AttachmentStatus;
}

export interface BuildHost {
  id: string;
  desiredSerial: number;
  /** Latest inventory (for the underlay address rule); null when none yet. */
  inventory: Inventory | null;
}

export interface BuildProblem {
  attachmentId: string;
  networkId: string;
  error: string;
}

/** Statuses whose endpoint the host must carry; detaching (and detached) ones are left out, so the agent removes them. */
const WANTED: ReadonlySet<AttachmentStatus> = new Set(WANTED_ATTACHMENT_STATUSES);

/** Per-host settings of a network: the host's override wins over the network's value. */
export function effectiveSettings(
  network: Pick<BuildNetwork, "bridgeName" | "uplink" | "hostOverrides">,
  hostId: string,
) {
  const o = network.hostOverrides.find((x) => x.hostId === hostId);
  return {
    bridgeName: o?.bridgeName ?? network.bridgeName,
    uplink: o?.uplink ?? network.uplink,
    underlayOverride: o?.underlayAddress ?? null,
  };
}

/** The host's VXLAN tunnel source on `network`, by the rule in underlay.ts. */
export function hostUnderlay(network: BuildNetwork, host: BuildHost): string | null {
  const s = effectiveSettings(network, host.id);
  return underlayAddress(s.underlayOverride, s.uplink, host.inventory);
}

/**
 * Why an endpoint of `network` cannot be built on `host`, or null (also used to refuse an attach early):
 * a macvlan network without a parent, a VXLAN network without an underlay address for the host.
 */
export function networkProblem(network: BuildNetwork, host: BuildHost): string | null {
  const s = effectiveSettings(network, host.id);
  if (network.driver === "macvlan" && !s.uplink)
    return `macvlan network ${network.name} has no uplink (parent) for this host: set uplink or hostOverrides`;
  if (network.driver === "vxlan" && !hostUnderlay(network, host))
    return `vxlan network ${network.name} has no underlay address for this host: set hostOverrides.<host>.underlayAddress, or wait for the host's inventory`;
  return null;
}

export interface DesiredStatePlan {
  state: DesiredState;
  /** Endpoints left out because their network cannot be built on this host. */
  problems: BuildProblem[];
}

/**
 * The host's desired state, purely from rows: every endpoint of this host that is pending, applied or
 * failed (failed ones stay desired, so the agent retries them at every reconcile; detaching ones are
 * left out, so the agent removes them), and every network those endpoints use with this host's
 * settings. VXLAN peers are the underlay addresses of the OTHER hosts with a wanted endpoint on the same
 * network (hosts without a known underlay are skipped). `attachments` may hold every host's rows.
 */
export function planDesiredState(
  host: BuildHost,
  networks: readonly BuildNetwork[],
  attachments: readonly BuildAttachment[],
  hosts: readonly BuildHost[],
): DesiredStatePlan {
  const byId = new Map(networks.map((n) => [n.id, n]));
  const hostsById = new Map(hosts.map((h) => [h.id, h]));
  hostsById.set(host.id, host);
  const wanted = attachments.filter((a) => WANTED.has(a.status));
  const mine = wanted
    .filter((a) => a.hostId === host.id)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const problems: BuildProblem[] = [];
  const desiredNetworks = new Map<string, DesiredNetwork>();
  const broken = new Map<string, string>();
  const endpoints: DesiredEndpoint[] = [];

  for (const a of mine) {
    const network = byId.get(a.networkId);
    if (!network) {
      problems.push({
        attachmentId: a.id,
        networkId: a.networkId,
        error: `network ${a.networkId} not found`,
      });
      continue;
    }
    if (!desiredNetworks.has(network.id) && !broken.has(network.id)) {
      const problem = networkProblem(network, host);
      if (problem) broken.set(network.id, problem);
      else desiredNetworks.set(network.id, toDesiredNetwork(network, host, wanted, hostsById));
    }
    const problem = broken.get(network.id);
    if (problem) {
      problems.push({ attachmentId: a.id, networkId: network.id, error: problem });
      continue;
    }
    endpoints.push({
      id: a.id,
      networkId: a.networkId,
      container: { runtime: a.containerRuntime as ContainerRuntime, ref: a.containerRef },
      ifname: a.ifname,
      address: a.address,
      prefixLength: a.prefixLength,
      ...(a.mac ? { mac: a.mac } : {}),
      setDefaultRoute: a.setDefaultRoute,
    });
  }
  const state: DesiredState = {
    serial: host.desiredSerial,
    networks: [...desiredNetworks.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    endpoints,
  };
  return { state, problems };
}

/** The host's desired state (see planDesiredState; endpoints that cannot be built are left out). */
export function buildDesiredState(
  host: BuildHost,
  networks: readonly BuildNetwork[],
  attachments: readonly BuildAttachment[],
  hosts: readonly BuildHost[],
): DesiredState {
  return planDesiredState(host, networks, attachments, hosts).state;
}

function toDesiredNetwork(
  network: BuildNetwork,
  host: BuildHost,
  wanted: readonly BuildAttachment[],
  hostsById: ReadonlyMap<string, BuildHost>,
): DesiredNetwork {
  const s = effectiveSettings(network, host.id);
  const out: DesiredNetwork = {
    id: network.id,
    name: network.name,
    driver: network.driver,
    prefixLength: network.prefixLength,
  };
  if (network.gateway) out.gateway = network.gateway;
  if (network.mtu) out.mtu = network.mtu;
  if (network.driver !== "macvlan" && s.bridgeName) out.bridgeName = s.bridgeName;
  if (network.driver !== "vxlan" && s.uplink) out.uplink = s.uplink;
  if (network.driver === "ovs" && network.vlan !== null) out.vlan = network.vlan;
  if (network.driver === "vxlan" && network.vni !== null) {
    out.vni = network.vni;
    const peerHosts = new Set(
      wanted.filter((a) => a.networkId === network.id && a.hostId !== host.id).map((a) => a.hostId),
    );
    const peers = new Set<string>();
    for (const id of peerHosts) {
      const peer = hostsById.get(id);
      const address = peer ? hostUnderlay(network, peer) : null;
      if (address) peers.add(address);
    }
    const localAddress = hostUnderlay(network, host) as string;
    peers.delete(localAddress);
    out.vxlan = {
      localAddress,
      peers: [...peers].sort(),
      dstPort: network.vxlanPort ?? 4789,
    };
  }
  return out;
}
