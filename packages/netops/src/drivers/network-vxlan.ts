import type { DesiredNetwork } from "@switchyard/protocol";
import type { HostOps } from "./host";
import { networkAlias, vxlanIfname } from "./names";
import { ensureLinuxBridge } from "./network-bridge";
import type { EventSink } from "./types";

export const VXLAN_DEFAULT_MTU = 1450;

/**
 * One VXLAN device `vx<vni>` per network, enslaved to the network's Linux bridge, flooding to every peer
 * through all-zero FDB entries (`bridge fdb append 00:00:00:00:00:00 dev vxN dst PEER`): one code path
 * for one peer or many, and peers change without recreating the device.
 */
export async function ensureVxlan(net: DesiredNetwork, ops: HostOps, emit: EventSink): Promise<void> {
  const { bridgeName, vni, vxlan } = net;
  if (!bridgeName || vni === undefined || !vxlan)
    throw new Error(`network ${net.name}: vxlan settings missing`);
  await ensureLinuxBridge(net, bridgeName, ops, emit);
  const say = (kind: "created" | "repaired" | "removed", message: string) =>
    emit({ kind, networkId: net.id, endpointId: null, message });
  const dev = vxlanIfname(vni);
  const mtu = String(net.mtu ?? VXLAN_DEFAULT_MTU);
  const existing = (await ops.links()).find((l) => l.name === dev);
  const matches =
    existing?.kind === "vxlan" &&
    existing.info.id === vni &&
    existing.info.local === vxlan.localAddress &&
    existing.info.port === vxlan.dstPort;
  if (existing && !matches) {
    await ops.ip(["link", "del", dev]);
    say("repaired", `${dev} had other VXLAN settings, recreated`);
  }
  if (!existing || !matches) {
    const args = ["link", "add", dev, "mtu", mtu, "type", "vxlan", "id", String(vni)];
    await ops.ip([...args, "local", vxlan.localAddress, "dstport", String(vxlan.dstPort)]);
    await ops.ip(["link", "set", dev, "alias", networkAlias(net.id), "master", bridgeName, "up"]);
    if (!existing) say("created", `${dev} created on ${bridgeName}`);
  } else {
    if (existing.master !== bridgeName) {
      await ops.ip(["link", "set", dev, "master", bridgeName]);
      say("repaired", `${dev} was not on ${bridgeName}, re-added`);
    }
    if (!existing.up) await ops.ip(["link", "set", dev, "up"]);
    if (String(existing.mtu) !== mtu) await ops.ip(["link", "set", dev, "mtu", mtu]);
  }
  const have = await ops.floodDestinations(dev);
  const want = [...new Set(vxlan.peers)].sort();
  for (const peer of want.filter((p) => !have.includes(p))) {
    await ops.bridgeCmd(["fdb", "append", "00:00:00:00:00:00", "dev", dev, "dst", peer]);
    if (existing && matches) say("repaired", `${dev}: peer ${peer} added`);
  }
  for (const peer of have.filter((p) => !want.includes(p))) {
    await ops.bridgeCmd(["fdb", "del", "00:00:00:00:00:00", "dev", dev, "dst", peer]);
    say("removed", `${dev}: peer ${peer} removed`);
  }
}
