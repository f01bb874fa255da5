import type { DesiredNetwork, DesiredState } from "@switchyard/protocol";
import type { HostOps } from "./host";
import { ensureLinuxBridge } from "./network-bridge";
import { ensureOvsBridge } from "./network-ovs";
import { ensureVxlan, VXLAN_DEFAULT_MTU } from "./network-vxlan";
import type { DriverOptions, EventSink } from "./types";

/** Creates or repairs what a network needs on this host before any endpoint is plugged in. */
export async function ensureNetwork(
  net: DesiredNetwork,
  state: DesiredState,
  ops: HostOps,
  options: DriverOptions,
  emit: EventSink,
): Promise<void> {
  switch (net.driver) {
    case "bridge":
      return ensureLinuxBridge(net, net.bridgeName as string, ops, emit);
    case "vxlan":
      return ensureVxlan(net, ops, emit);
    case "ovs":
      return ensureOvsBridge(net, state, ops, options, emit);
    case "macvlan": {
      const up = (await ops.links()).find((l) => l.name === net.uplink);
      if (!up) throw new Error(`uplink ${net.uplink} not found on this host`);
      if (!up.up) await ops.ip(["link", "set", up.name, "up"]);
      return;
    }
  }
}

/** The MTU an endpoint of this network gets: the network's, else its bridge's / parent's, else 1500. */
export async function endpointMtu(net: DesiredNetwork, ops: HostOps): Promise<number> {
  if (net.mtu) return net.mtu;
  const links = await ops.links();
  const lower = net.driver === "bridge" || net.driver === "vxlan" ? net.bridgeName : net.uplink;
  const found = links.find((l) => l.name === lower);
  if (found && found.mtu > 0) return found.mtu;
  return net.driver === "vxlan" ? VXLAN_DEFAULT_MTU : 1500;
}
