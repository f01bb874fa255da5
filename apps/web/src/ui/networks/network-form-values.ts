import type { CreateNetworkInput, NetworkDriver } from "@switchyard/protocol";

/** The create form's fields as typed (strings); which ones apply depends on the driver. */
export interface NetworkFormValues {
  name: string;
  driver: NetworkDriver;
  subnet: string;
  gateway: string;
  vlan: string;
  vni: string;
  vxlanPort: string;
  bridgeName: string;
  uplink: string;
  mtu: string;
  description: string;
  /** One per line: `HOST uplink=IF bridge=BR underlay=ADDR` (any of the three). */
  hostOverrides: string;
}

export const emptyNetworkForm: NetworkFormValues = {
  name: "",
  driver: "bridge",
  subnet: "",
  gateway: "",
  vlan: "",
  vni: "",
  vxlanPort: "",
  bridgeName: "",
  uplink: "",
  mtu: "",
  description: "",
  hostOverrides: "",
};

export type NetworkField = Exclude<keyof NetworkFormValues, "name" | "driver" | "subnet" | "description">;

/** Which optional fields a driver takes (the protocol refuses the others). */
export const driverFields: Record<NetworkDriver, NetworkField[]> = {
  bridge: ["gateway", "bridgeName", "uplink", "mtu", "hostOverrides"],
  ovs: ["gateway", "vlan", "bridgeName", "uplink", "mtu", "hostOverrides"],
  macvlan: ["gateway", "uplink", "mtu", "hostOverrides"],
  vxlan: ["gateway", "vni", "vxlanPort", "bridgeName", "mtu", "hostOverrides"],
};

/** Placeholders that say what the server fills in. */
export function fieldHints(driver: NetworkDriver, vni: string): Partial<Record<NetworkField, string>> {
  return {
    bridgeName: driver === "ovs" ? "ovs0" : driver === "vxlan" ? `brvx${vni.trim() || "<vni>"}` : "br0",
    uplink:
      driver === "ovs" ? "trunk port, e.g. eth1" : driver === "macvlan" ? "parent, e.g. eth1" : "e.g. eth1",
    vlan: "1-4094, empty = untagged",
    vni: "1-16777215",
    vxlanPort: "4789",
    gateway: "optional",
    mtu: "bridge default",
  };
}

/** "" stays absent; anything else becomes a number (NaN for junk, which the schema then names). */
function numberOrAbsent(text: string): number | undefined {
  const trimmed = text.trim();
  return trimmed === "" ? undefined : Number(trimmed);
}

function textOrAbsent(text: string): string | undefined {
  const trimmed = text.trim();
  return trimmed === "" ? undefined : trimmed;
}

/** Parses the per-host override lines; junk words are kept as keys so the server names them. */
export function parseHostOverrides(text: string): NonNullable<CreateNetworkInput["hostOverrides"]> {
  const result: NonNullable<CreateNetworkInput["hostOverrides"]> = {};
  for (const line of text.split("\n")) {
    const [host, ...pairs] = line.trim().split(/\s+/).filter(Boolean);
    if (!host) continue;
    const override: Record<string, string> = {};
    for (const pair of pairs) {
      const [key, value] = pair.split("=", 2);
      if (!key || value === undefined) continue;
      const name = key === "bridge" ? "bridgeName" : key === "underlay" ? "underlayAddress" : key;
      override[name] = value;
    }
    result[host] = override;
  }
  return result;
}

/** The POST body: only the fields this driver takes, blanks left out so server defaults apply. */
export function buildNetworkBody(values: NetworkFormValues): CreateNetworkInput {
  const applies = new Set<NetworkField>(driverFields[values.driver]);
  const body: CreateNetworkInput = {
    name: values.name.trim(),
    driver: values.driver,
    subnet: values.subnet.trim(),
  };
  const text = (field: "gateway" | "bridgeName" | "uplink") =>
    applies.has(field) ? textOrAbsent(values[field]) : undefined;
  const number = (field: "vlan" | "vni" | "vxlanPort" | "mtu") =>
    applies.has(field) ? numberOrAbsent(values[field]) : undefined;
  const optional = {
    gateway: text("gateway"),
    bridgeName: text("bridgeName"),
    uplink: text("uplink"),
    vlan: number("vlan"),
    vni: number("vni"),
    vxlanPort: number("vxlanPort"),
    mtu: number("mtu"),
    description: textOrAbsent(values.description),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (body as Record<string, unknown>)[key] = value;
  }
  if (applies.has("hostOverrides")) {
    const overrides = parseHostOverrides(values.hostOverrides);
    if (Object.keys(overrides).length > 0) body.hostOverrides = overrides;
  }
  return body;
}

/** "vlan 100" / "vni 42" / "untagged" for tables. */
export function segmentLabel(network: {
  driver: NetworkDriver;
  vlan: number | null;
  vni: number | null;
}): string {
  if (network.driver === "vxlan") return network.vni === null ? "—" : `vni ${network.vni}`;
  if (network.driver === "ovs") return network.vlan === null ? "untagged" : `vlan ${network.vlan}`;
  return "—";
}
