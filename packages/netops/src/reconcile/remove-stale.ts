import type { DesiredEndpoint, DesiredState, OvsBridge } from "@switchyard/protocol";
import type { HostOps } from "../drivers/host";
import {
  ALIAS_PREFIX,
  endpointAlias,
  endpointHash,
  OVS_ATTACHMENT_KEY,
  OWNED_LINK_PATTERN,
  vxlanIfname,
} from "../drivers/names";
import type { EventSink } from "../drivers/types";
import { type RuntimeDeps, resolveContainer } from "../runtime/resolve";
import { removeStaleBridges } from "./remove-networks";
import type { AppliedEndpoint, EndpointStore } from "./store";

export interface RemovalDeps {
  ops: HostOps;
  store: EndpointStore;
  runtime: RuntimeDeps;
  emit: EventSink;
  /** Endpoints still wanted although absent from the state (the agent could not parse them): left alone. */
  keep?: ReadonlySet<string>;
  /** A network could not be parsed: no bridge or VXLAN device is removed as unused. */
  keepNetworks?: boolean;
}

const sameIdentity = (rec: AppliedEndpoint, ep: DesiredEndpoint, driver: string): boolean =>
  rec.driver === driver &&
  rec.ifname === ep.ifname &&
  rec.container.runtime === ep.container.runtime &&
  rec.container.ref === ep.container.ref;

/** Removes one applied endpoint: its veth host end (which takes the peer along) or its macvlan in the container. */
export async function removeApplied(rec: AppliedEndpoint, deps: RemovalDeps): Promise<void> {
  const { ops } = deps;
  if (rec.hostIfname) {
    const hostIf = rec.hostIfname;
    await ops.bestEffort([() => ops.ip(["link", "del", hostIf])]);
    if (rec.driver === "ovs") await ops.bestEffort([() => ops.vsctl(["--if-exists", "del-port", hostIf])]);
  } else {
    try {
      const target = await resolveContainer(rec.container, deps.runtime);
      const inside = (await ops.linksIn(target)).find((l) => l.name === rec.ifname);
      if (inside?.alias === endpointAlias(rec.endpointId))
        await ops.ipIn(target, ["link", "del", rec.ifname]);
    } catch {
      // the container (and with it the interface) is gone
    }
  }
  deps.emit({
    kind: "removed",
    endpointId: rec.endpointId,
    networkId: rec.networkId,
    message: `endpoint ${rec.ifname} in ${rec.container.ref} removed`,
  });
  deps.store.delete(rec.endpointId);
}

async function listOvs(ops: HostOps, needed: boolean): Promise<OvsBridge[]> {
  try {
    return await ops.ovsBridges();
  } catch (error) {
    if (needed) throw error;
    return [];
  }
}

/**
 * Removes what Switchyard made that the desired state no longer holds: remembered endpoints, then any
 * `sy<hash>[hcm]` link, OVS port carrying a switchyard-attachment external id, and VXLAN device carrying
 * a Switchyard alias that nothing desired explains. Things Switchyard did not make are never touched.
 */
export async function removeStale(state: DesiredState, deps: RemovalDeps): Promise<void> {
  const { ops, emit } = deps;
  const nets = new Map(state.networks.map((n) => [n.id, n]));
  const desired = new Map(state.endpoints.map((e) => [e.id, e]));
  const keep = deps.keep ?? new Set<string>();
  for (const rec of deps.store.all()) {
    if (keep.has(rec.endpointId)) continue;
    const ep = desired.get(rec.endpointId);
    const driver = ep ? nets.get(ep.networkId)?.driver : undefined;
    if (!ep || !driver || !sameIdentity(rec, ep, driver)) await removeApplied(rec, deps);
  }
  const vethEndpoints = state.endpoints.filter((e) => nets.get(e.networkId)?.driver !== "macvlan");
  const keepHashes = new Set([...vethEndpoints.map((e) => e.id), ...keep].map(endpointHash));
  const links = await ops.links();
  for (const link of links) {
    const m = OWNED_LINK_PATTERN.exec(link.name);
    if (!m || (m[2] === "h" && keepHashes.has(m[1] as string))) continue;
    await ops.bestEffort([() => ops.ip(["link", "del", link.name])]);
    emit({ kind: "removed", endpointId: null, networkId: null, message: `leftover ${link.name} removed` });
  }
  const ovsIds = new Set(
    vethEndpoints.filter((e) => nets.get(e.networkId)?.driver === "ovs").map((e) => e.id),
  );
  const needOvs = state.networks.some((n) => n.driver === "ovs");
  const ovs = await listOvs(ops, needOvs);
  for (const br of ovs) {
    for (const port of br.ports) {
      const id = port.externalIds[OVS_ATTACHMENT_KEY];
      if (id === undefined || ovsIds.has(id) || keep.has(id)) continue;
      await ops.vsctl(["--if-exists", "del-port", br.name, port.name]);
      emit({
        kind: "removed",
        endpointId: id,
        networkId: null,
        message: `OVS port ${port.name} on ${br.name} removed`,
      });
    }
  }
  if (deps.keepNetworks) return;
  const vxKeep = new Set(
    state.networks.filter((n) => n.driver === "vxlan" && n.vni).map((n) => vxlanIfname(n.vni as number)),
  );
  for (const link of links) {
    if (link.kind !== "vxlan" || !link.alias?.startsWith(ALIAS_PREFIX) || vxKeep.has(link.name)) continue;
    await ops.bestEffort([() => ops.ip(["link", "del", link.name])]);
    emit({
      kind: "removed",
      endpointId: null,
      networkId: null,
      message: `VXLAN device ${link.name} removed`,
    });
  }
  await removeStaleBridges(state, ops, emit, ovs.length > 0);
}
