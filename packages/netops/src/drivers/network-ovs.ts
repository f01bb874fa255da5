import type { DesiredNetwork, DesiredState } from "@switchyard/protocol";
import type { HostOps } from "./host";
import { OVS_BRIDGE_MARK } from "./names";
import type { DriverOptions, EventSink } from "./types";

/** VLANs the uplink trunk carries for this bridge; [] means every VLAN (OVS's empty trunks). */
export function trunkVlans(bridge: string, state: DesiredState, options: DriverOptions): number[] {
  if (options.ovsTrunks === "all") return [];
  const nets = state.networks.filter((n) => n.driver === "ovs" && n.bridgeName === bridge);
  if (nets.some((n) => n.vlan === undefined)) return [];
  return [...new Set(nets.map((n) => n.vlan as number))].sort((a, b) => a - b);
}

/** The OVS bridge exists with the configured datapath type; the uplink is a trunk port carrying the VLANs in use. */
export async function ensureOvsBridge(
  net: DesiredNetwork,
  state: DesiredState,
  ops: HostOps,
  options: DriverOptions,
  emit: EventSink,
): Promise<void> {
  const bridge = net.bridgeName;
  if (!bridge) throw new Error(`network ${net.name}: bridgeName missing`);
  const say = (kind: "created" | "repaired", message: string) =>
    emit({ kind, networkId: net.id, endpointId: null, message });
  const bridges = await ops.ovsBridges();
  const br = bridges.find((b) => b.name === bridge);
  if (!br) {
    await ops.ovsAddBridge(bridge, options.datapathType, { [OVS_BRIDGE_MARK]: "1" });
    say("created", `OVS bridge ${bridge} created (datapath ${options.datapathType})`);
  } else if ((br.datapathType || "system") !== options.datapathType) {
    await ops.ovsSetBridgeDatapath(bridge, options.datapathType);
    say(
      "repaired",
      `OVS bridge ${bridge} datapath_type ${br.datapathType || "system"} != ${options.datapathType}, fixed`,
    );
  }
  if (!net.uplink) return;
  const want = trunkVlans(bridge, state, options);
  const port = br?.ports.find((p) => p.name === net.uplink);
  const owner = bridges.find((b) => b.name !== bridge && b.ports.some((p) => p.name === net.uplink));
  if (owner) throw new Error(`uplink ${net.uplink} is a port of OVS bridge ${owner.name}, not ${bridge}`);
  if (!port) {
    const links = await ops.links();
    if (!links.some((l) => l.name === net.uplink))
      throw new Error(`uplink ${net.uplink} not found on this host`);
    await ops.ovsAddPort(bridge, net.uplink, { trunks: want });
    await ops.ip(["link", "set", net.uplink, "up"]);
    say(
      "created",
      `uplink ${net.uplink} added to ${bridge} as trunk (${want.length ? want.join(",") : "all VLANs"})`,
    );
    return;
  }
  if (port.trunks.join(",") !== want.join(",") || port.tag !== null) {
    await ops.ovsSetPort(net.uplink, { trunks: want, tag: null });
    say("repaired", `uplink ${net.uplink} trunks [${port.trunks.join(",")}] != [${want.join(",")}], fixed`);
  }
}
