import type { CreatedHost, HostPage, HostSummary, Inventory, InventoryAddress } from "@switchyard/protocol";
import { formatAge, formatTime, orDash, renderFields, renderTable, shellQuote } from "../format";

export const HOST_COLUMNS = ["NAME", "STATUS", "HOSTNAME", "AGENT", "LAST SEEN", "DESCRIPTION"] as const;

export function hostRows(hosts: readonly HostSummary[], now: Date): string[][] {
  return hosts.map((h) => [
    h.name,
    h.status,
    orDash(h.hostname),
    orDash(h.agentVersion),
    formatAge(h.lastSeenAt, now),
    orDash(h.description),
  ]);
}

/** `yardctl hosts show`: the host's fields, then what its agent last reported. */
export function formatHostDetail(host: HostPage, now: Date): string {
  const fields = renderFields([
    ["Name", host.name],
    ["ID", host.id],
    ["Status", host.status],
    ["Description", host.description],
    ["Hostname", host.hostname],
    ["Agent version", host.agentVersion],
    ["Last seen", formatTime(host.lastSeenAt, now)],
    ["Created", formatTime(host.createdAt, now)],
    ["Revoked", host.revokedAt ? formatTime(host.revokedAt, now) : null],
    [
      "Credentials",
      `${host.credentials.active} active, ${host.credentials.revoked} rotated or revoked, last used ${formatAge(host.credentials.lastUsedAt, now)}`,
    ],
    ["Inventory", host.inventoryReceivedAt ? formatTime(host.inventoryReceivedAt, now) : "none yet"],
  ]);
  return host.inventory ? `${fields}${formatInventory(host.inventory)}` : fields;
}

function formatInventory(inv: Inventory): string {
  const sections: string[] = [];
  sections.push(
    section(
      "Interfaces",
      renderTable(
        ["NAME", "KIND", "STATE", "MAC", "MTU", "MASTER", "ADDRESSES"],
        inv.interfaces.map((i) => [
          i.name,
          orDash(i.kind),
          i.operState,
          orDash(i.mac),
          i.mtu === null ? "-" : String(i.mtu),
          orDash(i.master),
          addresses(i.addresses),
        ]),
      ),
    ),
  );
  if (inv.bridges.length > 0) {
    sections.push(
      section(
        "Linux bridges",
        renderTable(
          ["BRIDGE", "PORTS"],
          inv.bridges.map((b) => [b.name, list(b.ports)]),
        ),
      ),
    );
  }
  if (!inv.ovs.available)
    sections.push(section("Open vSwitch", `not available${inv.ovs.error ? `: ${inv.ovs.error}` : ""}\n`));
  else if (inv.ovs.bridges.length > 0) {
    const rows = inv.ovs.bridges.flatMap((b) =>
      b.ports.map((p) => [
        b.name,
        p.name,
        orDash(p.interfaceType),
        p.tag === null ? "-" : String(p.tag),
        list(p.trunks.map(String)),
      ]),
    );
    sections.push(
      section("Open vSwitch ports", renderTable(["BRIDGE", "PORT", "TYPE", "TAG", "TRUNKS"], rows)),
    );
  }
  if (inv.containers.length > 0) {
    const rows = inv.containers.flatMap((c) => {
      const base = [c.name, c.runtime, c.state];
      if (c.interfaces.length === 0) return [[...base, "-", "-"]];
      return c.interfaces.map((i) => [...base, i.name, addresses(i.addresses)]);
    });
    sections.push(
      section("Containers", renderTable(["CONTAINER", "RUNTIME", "STATE", "IFACE", "ADDRESSES"], rows)),
    );
  }
  if (!inv.docker.available && inv.docker.error)
    sections.push(section("Docker", `not available: ${inv.docker.error}\n`));
  return sections.join("");
}

function section(title: string, body: string): string {
  return `\n${title}:\n${body
    .split("\n")
    .map((line) => (line === "" ? line : `  ${line}`))
    .join("\n")}`;
}

function addresses(list: readonly InventoryAddress[]): string {
  return list.length === 0 ? "-" : list.map((a) => `${a.address}/${a.prefixLength}`).join(",");
}

function list(items: readonly string[]): string {
  return items.length === 0 ? "-" : items.join(",");
}

/** After `hosts create` / `hosts token`: the one-time token and the exact agent command. */
export function formatEnrollment(created: CreatedHost, serverUrl: string, verb: string): string {
  const { host, enrollment } = created;
  const agent = `switchyard-agent --server ${shellQuote(serverUrl)} --token ${shellQuote(enrollment.token)}`;
  return [
    `${verb} host ${host.name} (${host.id}).`,
    "",
    `Enrollment token (one use, expires ${enrollment.expiresAt}):`,
    `  ${enrollment.token}`,
    "",
    "On the host, as root, run:",
    `  ${agent}`,
    "",
  ].join("\n");
}
