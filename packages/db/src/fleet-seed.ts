import { createHash, randomUUID } from "node:crypto";
import pg from "pg";

/**
 * A synthetic fleet written straight into the database, rows shaped as agents' inventories are stored
 * (HostInventory.snapshot is the protocol's `inventorySchema`): what the map was measured with in issue
 * 11. Each host: `eth0` with its own address, an OVS bridge `ovs0` with trunk `eth1`, a Linux bridge
 * `br0`, N containers on VLAN access ports, the VLANs spread over 20 per fleet. Hosts are online with a
 * last-seen time ahead of now (they have no agent; this keeps the presence sweep from turning them
 * offline during a test), except every 50th, which is offline. Used by the e2e map spec and the map bench.
 */
export interface FleetSeedOptions {
  hosts: number;
  containersPerHost: number;
  /** Prefix of host and container names (a per-run prefix in tests). */
  prefix: string;
  /** Hosts per /24 subnet (their `eth0` addresses), so the overview has groups. */
  hostsPerSubnet?: number;
}

export interface SeededHost {
  id: string;
  name: string;
  status: "online" | "offline";
}

const VLANS = 20;
const pad = (n: number, width: number) => String(n).padStart(width, "0");
const hex = (text: string) => createHash("sha256").update(text).digest("hex");
const mac = (a: number, b: number, c: number) =>
  `02:${[a >> 8, a & 255, b >> 8, b & 255, c].map((n) => n.toString(16).padStart(2, "0")).join(":")}`;

export const fleetHostName = (prefix: string, index: number): string => `${prefix}node${pad(index, 4)}`;
export const fleetContainerName = (prefix: string, host: number, k: number): string =>
  `${prefix}n${pad(host, 4)}c${pad(k, 2)}`;
/** The VLAN of container k on host h: 100..119. */
export const fleetVlan = (host: number, k: number): number => 100 + ((host + k) % VLANS);
/** Container k's address on host h (unique in the fleet). */
export const fleetContainerAddress = (host: number, k: number): string =>
  `172.${16 + Math.floor(host / 250)}.${host % 250}.${10 + k}`;

/** One host's inventory snapshot, as an agent reports it. */
export function fleetInventory(options: FleetSeedOptions, index: number, collectedAt: string): object {
  const perSubnet = options.hostsPerSubnet ?? 100;
  const subnet = Math.floor(index / perSubnet);
  const plain = (name: string, ifindex: number, extra: object = {}) => ({
    name,
    index: ifindex,
    kind: "",
    mac: mac(index, ifindex, 0),
    mtu: 1500,
    operState: "UP",
    master: null,
    peerIndex: null,
    addresses: [],
    ...extra,
  });
  const containers = Array.from({ length: options.containersPerHost }, (_, k) => ({
    id: hex(`${options.prefix}|${index}|${k}`),
    name: fleetContainerName(options.prefix, index, k),
    runtime: "docker",
    state: "running",
    pid: 10_000 + k,
    interfaces: [
      {
        name: "eth0",
        index: 2,
        kind: "veth",
        mac: mac(index, k, 1),
        peerIndex: 100 + k,
        addresses: [{ family: "inet", address: fleetContainerAddress(index, k), prefixLength: 16 }],
      },
    ],
  }));
  return {
    collectedAt,
    hostname: fleetHostName(options.prefix, index),
    interfaces: [
      plain("lo", 1, { mac: "00:00:00:00:00:00", operState: "UNKNOWN" }),
      plain("eth0", 2, {
        addresses: [
          { family: "inet", address: `10.20.${subnet}.${(index % perSubnet) + 1}`, prefixLength: 24 },
        ],
      }),
      plain("eth1", 3, { master: "ovs-system" }),
      plain("ovs0", 4, { kind: "openvswitch", operState: "UNKNOWN" }),
      plain("br0", 5, { kind: "bridge" }),
      ...containers.map((_, k) =>
        plain(`vh${pad(k, 2)}`, 100 + k, { kind: "veth", master: "ovs-system", peerIndex: 2 }),
      ),
    ],
    bridges: [{ name: "br0", ports: [] }],
    ovs: {
      available: true,
      error: null,
      bridges: [
        {
          name: "ovs0",
          datapathType: "system",
          ports: [
            { name: "ovs0", tag: null, trunks: [], interfaceType: "internal", externalIds: {} },
            { name: "eth1", tag: null, trunks: [], interfaceType: "", externalIds: {} },
            ...containers.map((_, k) => ({
              name: `vh${pad(k, 2)}`,
              tag: fleetVlan(index, k),
              trunks: [],
              interfaceType: "",
              externalIds: {},
            })),
          ],
        },
      ],
    },
    namespaces: [],
    docker: { available: true, error: null },
    containers,
  };
}

/** Inserts the fleet (hosts and inventories) in a few statements; returns the hosts in index order. */
export async function seedFleet(databaseUrl: string, options: FleetSeedOptions): Promise<SeededHost[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const now = new Date();
  const ahead = new Date(now.getTime() + 24 * 3_600_000);
  const hosts: SeededHost[] = Array.from({ length: options.hosts }, (_, i) => ({
    id: randomUUID(),
    name: fleetHostName(options.prefix, i),
    status: i % 50 === 49 ? "offline" : "online",
  }));
  try {
    await client.query("BEGIN");
    for (let start = 0; start < hosts.length; start += 250) {
      const chunk = hosts.slice(start, start + 250);
      const hostValues: unknown[] = [];
      const inventoryValues: unknown[] = [];
      const hostRows: string[] = [];
      const inventoryRows: string[] = [];
      chunk.forEach((host, j) => {
        const index = start + j;
        const snapshot = JSON.stringify(fleetInventory(options, index, now.toISOString()));
        const h = hostValues.length;
        hostValues.push(
          host.id,
          host.name,
          host.status,
          host.name,
          "0.1.0",
          host.status === "online" ? ahead : now,
          now,
        );
        hostRows.push(
          `($${h + 1}, $${h + 2}, $${h + 3}::"HostStatus", $${h + 4}, $${h + 5}, 1, $${h + 6}, $${h + 7})`,
        );
        const v = inventoryValues.length;
        inventoryValues.push(host.id, snapshot, hex(snapshot), now, now);
        inventoryRows.push(`($${v + 1}, $${v + 2}::jsonb, $${v + 3}, $${v + 4}, $${v + 5})`);
      });
      await client.query(
        `INSERT INTO "Host" ("id", "name", "status", "hostname", "agentVersion", "protocolVersion", "lastSeenAt", "createdAt") VALUES ${hostRows.join(", ")}`,
        hostValues,
      );
      await client.query(
        `INSERT INTO "HostInventory" ("hostId", "snapshot", "digest", "collectedAt", "receivedAt") VALUES ${inventoryRows.join(", ")}`,
        inventoryValues,
      );
    }
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    await client.end();
  }
  return hosts;
}

/** Removes a seeded fleet (its inventories go with the hosts): names starting with `prefix` and `node`. */
export async function deleteFleet(databaseUrl: string, prefix: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const pattern = `${prefix.replace(/[\\%_]/g, "\\$&")}node%`;
    const result = await client.query(`DELETE FROM "Host" WHERE "name" LIKE $1`, [pattern]);
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}
