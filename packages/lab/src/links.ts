import { type Exec, exec as realExec } from "@switchyard/netops";

/**
 * A veth whose ends are created directly in two namespaces (`ip link add A netns X type veth peer name B
 * netns Y`): nothing ever appears in the root namespace.
 */
export async function vethBetween(
  a: { netns: string; name: string },
  b: { netns: string; name: string },
  exec: Exec = realExec,
): Promise<void> {
  await exec([
    "ip",
    "link",
    "add",
    a.name,
    "netns",
    a.netns,
    "type",
    "veth",
    "peer",
    "name",
    b.name,
    "netns",
    b.netns,
  ]);
  await exec(["ip", "-n", a.netns, "link", "set", a.name, "up"]);
  await exec(["ip", "-n", b.netns, "link", "set", b.name, "up"]);
}

export async function bridgeIn(netns: string, name: string, exec: Exec = realExec): Promise<void> {
  await exec(["ip", "-n", netns, "link", "add", name, "type", "bridge"]);
  await exec(["ip", "-n", netns, "link", "set", name, "up"]);
}

export async function enslave(
  netns: string,
  port: string,
  bridge: string,
  exec: Exec = realExec,
): Promise<void> {
  await exec(["ip", "-n", netns, "link", "set", port, "master", bridge]);
}

export async function addNetns(name: string, exec: Exec = realExec): Promise<void> {
  await exec(["ip", "netns", "add", name]);
  await exec(["ip", "-n", name, "link", "set", "lo", "up"]);
}
