import type { NetnsTarget } from "../runtime/target";
import type { HostOps } from "./host";
import type { Link } from "./links";
import type { DriverOptions } from "./types";

/** What the container's interface must look like. */
export interface ContainerSpec {
  ifname: string;
  mac: string;
  mtu: number;
  address: string;
  prefixLength: number;
  gateway: string | undefined;
  setDefaultRoute: boolean;
  alias: string;
}

const family = (address: string): "inet" | "inet6" => (address.includes(":") ? "inet6" : "inet");
const familyFlag = (address: string): string => (address.includes(":") ? "-6" : "-4");

interface RouteJson {
  dst?: string;
  gateway?: string;
  dev?: string;
}

async function defaultRoute(
  ops: HostOps,
  target: NetnsTarget,
  spec: ContainerSpec,
): Promise<RouteJson | null> {
  const out = await ops.ipIn(target, [familyFlag(spec.address), "-j", "route", "show", "default"]);
  const routes = JSON.parse(out.stdout.trim() || "[]") as RouteJson[];
  return routes[0] ?? null;
}

async function ensureDefaultRoute(
  ops: HostOps,
  target: NetnsTarget,
  spec: ContainerSpec,
): Promise<string | null> {
  if (!spec.setDefaultRoute) return null;
  if (!spec.gateway) throw new Error("setDefaultRoute needs the network's gateway");
  const current = await defaultRoute(ops, target, spec);
  if (current?.gateway === spec.gateway && current.dev === spec.ifname) return null;
  await ops.ipIn(target, [
    familyFlag(spec.address),
    "route",
    "replace",
    "default",
    "via",
    spec.gateway,
    "dev",
    spec.ifname,
  ]);
  return current
    ? `default route via ${current.gateway ?? "?"} dev ${current.dev ?? "?"} replaced`
    : "default route added";
}

/** Brings a just-created container interface to spec: alias, up, address, default route. */
export async function configureNew(ops: HostOps, target: NetnsTarget, spec: ContainerSpec): Promise<void> {
  await ops.ipIn(target, ["link", "set", spec.ifname, "alias", spec.alias, "up"]);
  await ops.ipIn(target, ["addr", "add", `${spec.address}/${spec.prefixLength}`, "dev", spec.ifname]);
  await ensureDefaultRoute(ops, target, spec);
}

/** Fixes what differs on an existing container interface; returns a message per fix. */
export async function repairContainerSide(
  ops: HostOps,
  target: NetnsTarget,
  link: Link,
  spec: ContainerSpec,
): Promise<string[]> {
  const fixes: string[] = [];
  const set = async (args: string[], message: string) => {
    await ops.ipIn(target, ["link", "set", spec.ifname, ...args]);
    fixes.push(message);
  };
  if (link.mac.toLowerCase() !== spec.mac)
    await set(["address", spec.mac], `MAC ${link.mac} != ${spec.mac}, fixed`);
  if (link.mtu !== spec.mtu) await set(["mtu", String(spec.mtu)], `MTU ${link.mtu} != ${spec.mtu}, fixed`);
  if (link.alias !== spec.alias) await set(["alias", spec.alias], "alias restored");
  if (!link.up) await set(["up"], `${spec.ifname} was down, brought up`);
  const fam = family(spec.address);
  const global = link.addresses.filter((a) => a.family === fam && a.scope === "global");
  const has = global.some((a) => a.address === spec.address && a.prefixLength === spec.prefixLength);
  for (const extra of global.filter(
    (a) => !(a.address === spec.address && a.prefixLength === spec.prefixLength),
  )) {
    await ops.ipIn(target, ["addr", "del", `${extra.address}/${extra.prefixLength}`, "dev", spec.ifname]);
    fixes.push(`address ${extra.address}/${extra.prefixLength} removed`);
  }
  if (!has) {
    await ops.ipIn(target, ["addr", "add", `${spec.address}/${spec.prefixLength}`, "dev", spec.ifname]);
    fixes.push(`address ${spec.address}/${spec.prefixLength} missing, added`);
  }
  const route = await ensureDefaultRoute(ops, target, spec);
  if (route) fixes.push(route);
  return fixes;
}

/**
 * Gratuitous ARP from the container (`arping -U -c N -I ifname ADDR`); IPv4 only. arping lingers about a
 * second per ARP, so unless `garpBlocking` it runs in the background and failures are ignored.
 */
export async function sendGarp(
  ops: HostOps,
  target: NetnsTarget,
  spec: ContainerSpec,
  options: DriverOptions,
): Promise<void> {
  if (options.garpCount <= 0 || family(spec.address) !== "inet") return;
  // The ARP must leave through a port ovs-vswitchd has already added (a no-op off OVS); a vswitchd that
  // never catches up only costs the ARP, never the apply.
  const run = ops
    .ovsSettled()
    .catch(() => undefined)
    .then(() =>
      ops.inside(target, ["arping", "-U", "-c", String(options.garpCount), "-I", spec.ifname, spec.address]),
    );
  if (options.garpBlocking) {
    await run;
    return;
  }
  run.catch(() => undefined);
}
