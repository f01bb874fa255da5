import { configureNew, repairContainerSide, sendGarp } from "./container-side";
import { type EndpointContext, say } from "./endpoint-context";

/**
 * A macvlan child of the uplink in bridge mode, created directly inside the container as `ifname`.
 * No host-side interface remains, so the result's hostIfname is null.
 */
export async function ensureMacvlanEndpoint(ctx: EndpointContext): Promise<null> {
  const { ops, spec, target, net } = ctx;
  const inside = (await ops.linksIn(target)).find((l) => l.name === spec.ifname);
  if (inside && inside.kind === "macvlan" && inside.alias === spec.alias) {
    const fixes = await repairContainerSide(ops, target, inside, spec);
    for (const fix of fixes) say(ctx, "repaired", `${spec.ifname} in ${target.label}: ${fix}`);
    if (fixes.some((f) => f.startsWith("address") || f.startsWith("MAC")))
      await sendGarp(ops, target, spec, ctx.options);
    return null;
  }
  if (inside && inside.alias !== spec.alias) {
    throw new Error(
      `interface ${spec.ifname} already exists in ${target.label} and is not this attachment's`,
    );
  }
  if (inside) await ops.ipIn(target, ["link", "del", spec.ifname]);
  const mtu = String(spec.mtu);
  let made = false;
  try {
    await ops.ip(
      ["link", "add", "link", net.uplink as string, "name", spec.ifname, "address", spec.mac].concat([
        "mtu",
        mtu,
        "netns",
        target.path,
        "type",
        "macvlan",
        "mode",
        "bridge",
      ]),
    );
    made = true;
    await configureNew(ops, target, spec);
  } catch (error) {
    if (made) await ops.bestEffort([() => ops.ipIn(target, ["link", "del", spec.ifname])]);
    throw error;
  }
  await sendGarp(ops, target, spec, ctx.options);
  if (inside) say(ctx, "repaired", `macvlan ${spec.ifname} in ${target.label} was not a macvlan, recreated`);
  else if (ctx.known) say(ctx, "repaired", `macvlan ${spec.ifname} in ${target.label} missing, recreated`);
  else say(ctx, "created", `macvlan ${spec.ifname} (parent ${net.uplink}) in ${target.label}`);
  return null;
}
