/**
 * Oracles for scenario tests: what is really on a lab host or in a container, read with the host's own
 * tools (`ovs-vsctl --db=unix:<host's socket> --format=json list port`, `ip -j -d link`), and real pings.
 */
import type { Lab, LabContainerState } from "@switchyard/lab";
import {
  type IpLink,
  OWNED_LINK_PATTERN,
  ovsMap,
  ovsSet,
  parseIpLinks,
  parseOvsTable,
} from "@switchyard/netops";

export interface OvsPortRow {
  name: string;
  /** Access VLAN, or null for none. */
  tag: number | null;
  trunks: number[];
  externalIds: Record<string, string>;
}

/** `ovs-vsctl --db=unix:<host's socket> --format=json list port`, run inside the host's namespace. */
export async function ovsPorts(lab: Lab, host: string): Promise<OvsPortRow[]> {
  const db = lab.host(host).ovs?.db;
  if (!db) throw new Error(`host ${host} has no OVS`);
  const { stdout } = await lab.hostExec(host)([
    "ovs-vsctl",
    `--db=${db}`,
    "--format=json",
    "--columns=name,tag,trunks,external_ids",
    "list",
    "port",
  ]);
  return parseOvsTable(JSON.parse(stdout)).map((row) => {
    const tags = ovsSet(row.tag).filter((t): t is number => typeof t === "number");
    const ids = ovsMap(row.external_ids);
    return {
      name: String(row.name),
      tag: tags[0] ?? null,
      trunks: ovsSet(row.trunks)
        .filter((t): t is number => typeof t === "number")
        .sort((a, b) => a - b),
      externalIds: ids,
    };
  });
}

/** The host's links (`ip -j -d link show` in its namespace). */
export async function hostLinks(lab: Lab, host: string): Promise<IpLink[]> {
  const { stdout } = await lab.hostExec(host)(["ip", "-j", "-d", "link", "show"]);
  return parseIpLinks(stdout);
}

/** Interfaces inside a container (`ip -j -d addr show` in its namespace), loopback left out. */
export async function containerLinks(lab: Lab, c: LabContainerState): Promise<IpLink[]> {
  const { stdout } = await lab.inContainer(c, ["ip", "-j", "-d", "addr", "show"]);
  return parseIpLinks(stdout).filter((l) => l.linkType !== "loopback");
}

/** Host-side links Switchyard made per endpoint (veth host ends `sy<hash>h`, leftovers `…c` / `…m`). */
export async function switchyardLinks(lab: Lab, host: string): Promise<IpLink[]> {
  return (await hostLinks(lab, host)).filter((l) => OWNED_LINK_PATTERN.test(l.name));
}

/** One ping (`ping -c1 -W1`) from inside the container, retried up to `attempts` times. */
export function pings(lab: Lab, from: LabContainerState, address: string, attempts = 5): Promise<boolean> {
  return lab.pings(from, address, attempts);
}

/** True when no reply comes in `attempts` one-second tries (for pairs that must stay apart). */
export async function isolated(
  lab: Lab,
  from: LabContainerState,
  address: string,
  attempts = 2,
): Promise<boolean> {
  return !(await lab.pings(from, address, attempts));
}
