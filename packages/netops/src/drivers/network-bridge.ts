import type { DesiredNetwork } from "@switchyard/protocol";
import type { HostOps } from "./host";
import type { Link } from "./links";
import { networkAlias } from "./names";
import type { EventSink } from "./types";

const find = (links: Link[], name: string) => links.find((l) => l.name === name);

/** A Linux bridge exists and is up, holding the uplink (if any) as a port. */
export async function ensureLinuxBridge(
  net: DesiredNetwork,
  bridge: string,
  ops: HostOps,
  emit: EventSink,
): Promise<void> {
  const say = (kind: "created" | "repaired", message: string) =>
    emit({ kind, networkId: net.id, endpointId: null, message });
  let links = await ops.links();
  const br = find(links, bridge);
  if (!br) {
    await ops.ip(["link", "add", bridge, ...(net.mtu ? ["mtu", String(net.mtu)] : []), "type", "bridge"]);
    await ops.ip(["link", "set", bridge, "alias", networkAlias(net.id), "up"]);
    say("created", `bridge ${bridge} created`);
  } else if (br.kind !== "bridge") {
    throw new Error(`${bridge} exists and is a ${br.kind || "plain"} device, not a Linux bridge`);
  } else if (!br.up) {
    await ops.ip(["link", "set", bridge, "up"]);
    say("repaired", `bridge ${bridge} was down, brought up`);
  }
  if (!net.uplink || net.driver !== "bridge") return;
  links = await ops.links();
  const up = find(links, net.uplink);
  if (!up) throw new Error(`uplink ${net.uplink} not found on this host`);
  if (up.master !== bridge) {
    // Never take an interface from another bridge, nor one carrying the host's own addresses.
    if (up.master) throw new Error(`uplink ${net.uplink} is a port of ${up.master}, not ${bridge}`);
    const global = up.addresses.filter((a) => a.scope === "global");
    if (global.length > 0) {
      const list = global.map((a) => `${a.address}/${a.prefixLength}`).join(", ");
      throw new Error(
        `uplink ${net.uplink} carries addresses (${list}); move them to ${bridge} and enslave it first`,
      );
    }
    await ops.ip(["link", "set", net.uplink, "master", bridge]);
    say("created", `uplink ${net.uplink} added to ${bridge}`);
  }
  if (!up.up) await ops.ip(["link", "set", net.uplink, "up"]);
}
