import {
  apiRoutes,
  type CreateNetworkInput,
  everyPage,
  type HostOverride,
  type Network,
} from "@switchyard/protocol";
import { defineCommand } from "../define";
import { UsageError } from "../errors";
import { formatTime, orDash, renderFields, renderTable } from "../format";
import { writeJson } from "../io";

const nameArg = { name: "NETWORK", description: "network name or id" } as const;

function integer(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number, got "${value}"`);
  return Number(value);
}

const OVERRIDE_KEYS: Record<string, keyof HostOverride> = {
  bridge: "bridgeName",
  uplink: "uplink",
  underlay: "underlayAddress",
};

/** `h1:uplink=eth2,bridge=br1;h2:underlay=10.0.0.2` -> { h1: {...}, h2: {...} } */
export function parseOverrides(text: string): Record<string, HostOverride> {
  const out: Record<string, HostOverride> = {};
  for (const entry of text.split(";").filter((e) => e.trim() !== "")) {
    const colon = entry.indexOf(":");
    const host = entry.slice(0, colon).trim();
    if (colon <= 0 || host === "")
      throw new UsageError(
        `--override: "${entry}" is not HOST:key=value[,key=value] (keys: bridge, uplink, underlay)`,
      );
    const o: HostOverride = {};
    for (const pair of entry.slice(colon + 1).split(",")) {
      const [key = "", value = ""] = pair.split("=").map((s) => s.trim());
      const field = OVERRIDE_KEYS[key];
      if (!field || value === "")
        throw new UsageError(
          `--override: "${pair}" for host ${host}: use bridge=NAME, uplink=IFACE or underlay=ADDRESS`,
        );
      o[field] = value;
    }
    out[host] = o;
  }
  return out;
}

function segment(n: Network): string {
  if (n.driver === "ovs") return `${n.bridgeName ?? "-"} ${n.vlan === null ? "untagged" : `vlan ${n.vlan}`}`;
  if (n.driver === "vxlan") return `${n.bridgeName ?? "-"} vni ${n.vni ?? "-"}`;
  if (n.driver === "macvlan") return `parent ${n.uplink ?? "per host"}`;
  return n.bridgeName ?? "-";
}

function formatNetwork(n: Network, now: Date): string {
  const base = renderFields([
    ["Name", n.name],
    ["ID", n.id],
    ["Driver", n.driver],
    ["Subnet", n.subnet],
    ["Gateway", n.gateway],
    ["VLAN", n.vlan === null ? null : String(n.vlan)],
    ["VNI", n.vni === null ? null : `${n.vni} (udp ${n.vxlanPort ?? 4789})`],
    ["Bridge", n.bridgeName],
    ["Uplink", n.uplink],
    ["MTU", n.mtu === null ? null : String(n.mtu)],
    ["Pool", `${n.poolName} (${n.poolId})`],
    ["Attachments", String(n.attachmentCount)],
    ["Description", n.description],
    ["Created", `${formatTime(n.createdAt, now)} by ${n.createdBy ?? "-"}`],
  ]);
  if (n.hostOverrides.length === 0) return base;
  const rows = n.hostOverrides.map((o) => [
    o.hostName,
    orDash(o.bridgeName),
    orDash(o.uplink),
    orDash(o.underlayAddress),
  ]);
  return `${base}\nPer-host overrides:\n${renderTable(["HOST", "BRIDGE", "UPLINK", "UNDERLAY"], rows)
    .split("\n")
    .map((l) => (l ? `  ${l}` : l))
    .join("\n")}`;
}

export const commands = [
  defineCommand({
    path: ["networks", "ls"],
    aliases: ["list"],
    summary: "list networks",
    options: {},
    args: [],
    async run(ctx) {
      const client = ctx.client();
      const networks = await everyPage(
        (query) => client.call(apiRoutes.listNetworks, { query }),
        (p) => p.networks,
      );
      if (ctx.json) writeJson(ctx.io.stdout, { networks });
      else if (networks.length === 0)
        ctx.io.stdout.write(
          "No networks yet. Create one with: yardctl networks create NAME --driver ovs --subnet CIDR --vlan N\n",
        );
      else
        ctx.io.stdout.write(
          renderTable(
            ["NAME", "DRIVER", "SUBNET", "GATEWAY", "SEGMENT", "UPLINK", "ATTACHED"],
            networks.map((n) => [
              n.name,
              n.driver,
              n.subnet,
              orDash(n.gateway),
              segment(n),
              orDash(n.uplink),
              String(n.attachmentCount),
            ]),
          ),
        );
      return 0;
    },
  }),
  defineCommand({
    path: ["networks", "show"],
    aliases: ["get"],
    summary: "show a network",
    options: {},
    args: [nameArg],
    async run(ctx, { args }) {
      const network = await ctx.client().call(apiRoutes.getNetwork, { params: { id: args.NETWORK } });
      if (ctx.json) writeJson(ctx.io.stdout, network);
      else ctx.io.stdout.write(formatNetwork(network, ctx.now()));
      return 0;
    },
  }),
  defineCommand({
    path: ["networks", "create"],
    summary: "create a network (bridge, ovs, macvlan or vxlan)",
    description: [
      "Addresses come from the IPAM pool of the subnet (found or created); networks on different VLANs may share a subnet.",
      "Examples:",
      "  yardctl networks create vlan100 --driver ovs --subnet 192.168.0.0/24 --vlan 100 --uplink eth1",
      "  yardctl networks create flat --driver bridge --subnet 10.10.103.0/24 --gateway 10.10.103.254 --uplink eth2",
      "  yardctl networks create vx42 --driver vxlan --vni 42 --subnet 10.42.0.0/24 --override 'h1:underlay=10.99.1.11'",
    ].join("\n"),
    options: {
      driver: { type: "string", valueName: "DRIVER", description: "bridge, ovs, macvlan or vxlan" },
      subnet: { type: "string", valueName: "CIDR", description: "the network's subnet, e.g. 192.168.0.0/24" },
      gateway: { type: "string", valueName: "ADDRESS", description: "gateway address (optional)" },
      vlan: { type: "string", valueName: "N", description: "OVS access VLAN, 1-4094 (ovs)" },
      vni: { type: "string", valueName: "N", description: "VXLAN network identifier (vxlan)" },
      "vxlan-port": { type: "string", valueName: "PORT", description: "VXLAN UDP port (default 4789)" },
      bridge: {
        type: "string",
        valueName: "NAME",
        description: "bridge name (default br0 / ovs0 / brvx<vni>)",
      },
      uplink: {
        type: "string",
        valueName: "IFACE",
        description: "bridge port (bridge), trunk (ovs), parent (macvlan), underlay interface (vxlan)",
      },
      mtu: { type: "string", valueName: "N", description: "MTU of the containers' interfaces" },
      override: {
        type: "string",
        valueName: "SPEC",
        description: "per-host settings: 'HOST:uplink=IF,bridge=BR,underlay=ADDR;HOST2:...'",
      },
      description: { type: "string", valueName: "TEXT", description: "what the network is for" },
    },
    args: [{ name: "NAME", description: "network name: letters, digits, '.', '_', '-'" }],
    async run(ctx, { args, options }) {
      if (!options.driver) throw new UsageError("--driver is required (bridge, ovs, macvlan or vxlan)");
      if (!options.subnet) throw new UsageError("--subnet is required (e.g. 192.168.0.0/24)");
      const body: Record<string, unknown> = {
        name: args.NAME,
        driver: options.driver,
        subnet: options.subnet,
      };
      const set = (key: string, value: unknown) => {
        if (value !== undefined) body[key] = value;
      };
      set("gateway", options.gateway);
      set("vlan", integer("--vlan", options.vlan));
      set("vni", integer("--vni", options.vni));
      set("vxlanPort", integer("--vxlan-port", options["vxlan-port"]));
      set("bridgeName", options.bridge);
      set("uplink", options.uplink);
      set("mtu", integer("--mtu", options.mtu));
      set("description", options.description);
      if (options.override !== undefined) body.hostOverrides = parseOverrides(options.override);
      const network = await ctx.client().call(apiRoutes.createNetwork, { body: body as CreateNetworkInput });
      if (ctx.json) writeJson(ctx.io.stdout, network);
      else
        ctx.io.stdout.write(
          `Created network ${network.name} (${network.driver}, ${network.subnet}, ${segment(network)}; pool ${network.poolName}).\n`,
        );
      return 0;
    },
  }),
  defineCommand({
    path: ["networks", "rm"],
    aliases: ["delete"],
    summary: "delete a network that has no attachments",
    options: { reason: { type: "string", valueName: "TEXT", description: "why, for the audit log" } },
    args: [nameArg],
    async run(ctx, { args, options }) {
      const network = await ctx.client().call(apiRoutes.deleteNetwork, {
        params: { id: args.NETWORK },
        body: options.reason ? { reason: options.reason } : {},
      });
      if (ctx.json) writeJson(ctx.io.stdout, network);
      else ctx.io.stdout.write(`Deleted network ${network.name} (${network.id}).\n`);
      return 0;
    },
  }),
];
