import type { OvsPortSettings } from "../ovsdb/vswitch";
import { type EndpointContext, say } from "./endpoint-context";
import type { Link } from "./links";
import { endpointAlias, OVS_ATTACHMENT_KEY } from "./names";

/** Host end of a veth: plugged into the network's Linux bridge or OVS bridge. */

/** The port's access VLAN (none for an untagged network) and the attachment it serves. */
function ovsPortSettings(ctx: EndpointContext): OvsPortSettings {
  return { tag: ctx.net.vlan ?? null, externalIds: { [OVS_ATTACHMENT_KEY]: ctx.ep.id } };
}

/** Plugs a freshly created host end. */
export async function plugNew(ctx: EndpointContext, hostIf: string): Promise<void> {
  const { ops, net } = ctx;
  const bridge = net.bridgeName as string;
  if (net.driver === "ovs") {
    await ops.ovsAddPort(bridge, hostIf, ovsPortSettings(ctx));
    await ops.ip(["link", "set", hostIf, "alias", endpointAlias(ctx.ep.id), "up"]);
    return;
  }
  await ops.ip(["link", "set", hostIf, "master", bridge, "alias", endpointAlias(ctx.ep.id), "up"]);
}

/** Checks an existing host end's plugging and fixes what differs (wrong bridge, wrong tag, down). */
export async function repairPlug(ctx: EndpointContext, hostEnd: Link): Promise<void> {
  const { ops, net } = ctx;
  const bridge = net.bridgeName as string;
  const hostIf = hostEnd.name;
  if (hostEnd.mtu !== ctx.spec.mtu) {
    await ops.ip(["link", "set", hostIf, "mtu", String(ctx.spec.mtu)]);
    say(ctx, "repaired", `${hostIf} MTU ${hostEnd.mtu} != ${ctx.spec.mtu}, fixed`);
  }
  if (net.driver === "ovs") {
    const bridges = await ops.ovsBridges();
    const owner = bridges.find((b) => b.ports.some((p) => p.name === hostIf));
    const port = owner?.ports.find((p) => p.name === hostIf);
    if (!owner || !port || owner.name !== bridge) {
      await ops.ovsAddPort(bridge, hostIf, ovsPortSettings(ctx));
      say(
        ctx,
        "repaired",
        owner
          ? `OVS port ${hostIf} on ${owner.name} != ${bridge}, moved`
          : `OVS port ${hostIf} missing, re-added`,
      );
    } else if (port.tag !== (net.vlan ?? null) || port.externalIds[OVS_ATTACHMENT_KEY] !== ctx.ep.id) {
      await ops.ovsSetPort(hostIf, ovsPortSettings(ctx));
      if (port.tag !== (net.vlan ?? null)) {
        say(ctx, "repaired", `OVS tag ${port.tag ?? "none"} != ${net.vlan ?? "none"}, fixed`);
      } else {
        say(ctx, "repaired", `OVS port ${hostIf} external_ids fixed`);
      }
    }
  } else if (hostEnd.master !== bridge) {
    await ops.ip(["link", "set", hostIf, "master", bridge]);
    say(ctx, "repaired", `${hostIf} on ${hostEnd.master ?? "no bridge"} != ${bridge}, fixed`);
  }
  if (!hostEnd.up) {
    await ops.ip(["link", "set", hostIf, "up"]);
    say(ctx, "repaired", `${hostIf} was down, brought up`);
  }
}
