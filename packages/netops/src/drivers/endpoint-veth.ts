import { configureNew, repairContainerSide, sendGarp } from "./container-side";
import { type EndpointContext, say } from "./endpoint-context";
import type { Link } from "./links";
import { hostIfname } from "./names";
import { plugNew, repairPlug } from "./plug";

/** True when the container interface is the peer of the host end. */
const paired = (hostEnd: Link | undefined, inside: Link | undefined): boolean =>
  !!hostEnd &&
  !!inside &&
  hostEnd.kind === "veth" &&
  inside.kind === "veth" &&
  inside.linkIndex === hostEnd.index &&
  hostEnd.linkIndex === inside.index;

async function create(ctx: EndpointContext, hostIf: string): Promise<void> {
  const { ops, spec, target } = ctx;
  const mtu = String(spec.mtu);
  try {
    await ops.ip(
      ["link", "add", hostIf, "mtu", mtu, "type", "veth", "peer", "name", spec.ifname].concat([
        "address",
        spec.mac,
        "mtu",
        mtu,
        "netns",
        target.path,
      ]),
    );
    await configureNew(ops, target, spec);
    await plugNew(ctx, hostIf);
  } catch (error) {
    // Deleting the host end deletes its peer wherever it is; the OVS record goes separately.
    await ops.bestEffort([
      () => ops.ip(["link", "del", hostIf]),
      ...(ctx.net.driver === "ovs" ? [() => ops.ovsDelPort(hostIf)] : []),
    ]);
    throw error;
  }
  await sendGarp(ops, target, spec, ctx.options);
}

/**
 * A veth pair: host end `sy<hash>h` plugged into the network's bridge (Linux bridge for bridge/vxlan, OVS
 * access port for ovs), peer inside the container as `ifname`. Returns the host end's name.
 */
export async function ensureVethEndpoint(ctx: EndpointContext): Promise<string> {
  const { ops, spec, target } = ctx;
  const hostIf = hostIfname(ctx.ep.id);
  const hostEnd = (await ops.links()).find((l) => l.name === hostIf);
  const inside = (await ops.linksIn(target)).find((l) => l.name === spec.ifname);
  if (paired(hostEnd, inside) && hostEnd && inside) {
    await repairPlug(ctx, hostEnd);
    const fixes = await repairContainerSide(ops, target, inside, spec);
    for (const fix of fixes) say(ctx, "repaired", `${spec.ifname} in ${target.label}: ${fix}`);
    if (fixes.some((f) => f.startsWith("address") || f.startsWith("MAC")))
      await sendGarp(ops, target, spec, ctx.options);
    return hostIf;
  }
  if (inside && inside.alias !== spec.alias) {
    throw new Error(
      `interface ${spec.ifname} already exists in ${target.label} and is not this attachment's`,
    );
  }
  if (inside) await ops.ipIn(target, ["link", "del", spec.ifname]);
  if (hostEnd) await ops.ip(["link", "del", hostIf]);
  await create(ctx, hostIf);
  if (hostEnd || inside)
    say(ctx, "repaired", `veth ${hostIf} lost its ${hostEnd ? "container side" : "host end"}, recreated`);
  else if (ctx.known) say(ctx, "repaired", `veth ${hostIf} missing, recreated`);
  else say(ctx, "created", `veth ${hostIf} <-> ${spec.ifname} in ${target.label}`);
  return hostIf;
}
