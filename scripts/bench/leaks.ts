/**
 * Leak check benchmark: `findLeaks` (pure) over 100,000 allocations on 1,000 hosts with synthetic
 * inventories, then the database-backed check (`runLeakCheck`: load, compare, persist) over the same
 * rows. Prints JSON {allocations, hosts, pureMs, dbCheckMs, findings, rssMb, ...}.
 *
 *   tsx scripts/bench/leaks.ts [--hosts 1000] [--per-host 100] [--leak-every 100]
 *
 * Uses DATABASE_URL's server when set (a fresh database on it), else an embedded PostgreSQL in a temp
 * dir (mode 755, random port). Every `--leak-every`-th container is missing from its host's inventory
 * (container_gone), so the check also writes findings.
 */

import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { findLeaks, type LeakCheckInput, loadCheckInput, runLeakCheck } from "@switchyard/control";
import { openScratchServer } from "@switchyard/db";
import { createTestDatabase, TEST_ADMIN_URL_ENV } from "@switchyard/db/testing";
import { formatIpv4 } from "@switchyard/ipam";
import type { Inventory } from "@switchyard/protocol";

const { values } = parseArgs({
  options: {
    hosts: { type: "string", default: "1000" },
    "per-host": { type: "string", default: "100" },
    "leak-every": { type: "string", default: "100" },
  },
});
const HOSTS = Number(values.hosts);
const PER_HOST = Number(values["per-host"]);
const LEAK_EVERY = Number(values["leak-every"]);
const CIDR = "10.0.0.0/8";
const BASE = 10n << 24n;
const now = new Date();
const round = (n: number) => Math.round(n * 10) / 10;
const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
/** CPU ms (user + system) of PostgreSQL backends, from /proc (other work on the machine inflates wall times). */
function backendCpuMs(pids: readonly number[]): number {
  let sum = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      sum += ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    } catch {
      // gone
    }
  }
  return sum;
}

interface Synth {
  hostIds: string[];
  input: LeakCheckInput;
  rows: { hostIndex: number; n: number; offset: bigint; address: string; ref: string; leaked: boolean }[];
}

function synthesize(hostIds: string[], poolId: string, networkId: string): Synth {
  const rows: Synth["rows"] = [];
  const hosts: LeakCheckInput["hosts"][number][] = [];
  const allocations: LeakCheckInput["allocations"][number][] = [];
  let k = 0;
  for (let h = 0; h < HOSTS; h++) {
    const containers: Inventory["containers"] = [];
    for (let i = 0; i < PER_HOST; i++, k++) {
      // Each host owns aligned blocks of 16 (7 blocks of 16 for 100 containers), offsets from 1.
      const offset = BigInt(h * 128 + i + 1);
      const address = formatIpv4(BASE + offset);
      const ref = `h${h}c${i}`;
      const leaked = LEAK_EVERY > 0 && k % LEAK_EVERY === LEAK_EVERY - 1;
      rows.push({ hostIndex: h, n: i, offset, address, ref, leaked });
      if (!leaked)
        containers.push({
          id: `${ref}`.padEnd(64, "0"),
          name: ref,
          runtime: "docker",
          state: "running",
          pid: 1000 + i,
          interfaces: [
            {
              name: "eth1",
              index: 2,
              kind: "veth",
              mac: null,
              peerIndex: 100 + i,
              addresses: [{ family: "inet", address, prefixLength: 8 }],
            },
          ],
        });
      allocations.push({
        id: `a${k}`,
        poolId,
        address,
        hostId: hostIds[h] ?? "",
        networkId,
        allocatedAt: new Date(now.getTime() - 3_600_000),
        attachment: {
          id: `t${k}`,
          hostId: hostIds[h] ?? "",
          networkId,
          runtime: "docker",
          ref,
          ifname: "eth1",
          address,
          mac: null,
          status: "applied",
          createdAt: new Date(now.getTime() - 3_600_000),
          appliedAt: new Date(now.getTime() - 3_500_000),
        },
      });
    }
    const snapshot: Inventory = {
      collectedAt: new Date(now.getTime() - 1000).toISOString(),
      hostname: `bench-h${h}`,
      interfaces: [],
      bridges: [{ name: "br0", ports: [] }],
      ovs: { available: false, error: null, bridges: [] },
      namespaces: [],
      docker: { available: true, error: null },
      containers,
    };
    hosts.push({
      id: hostIds[h] ?? "",
      name: `bench-h${h}`,
      status: "online",
      lastSeenAt: new Date(now.getTime() - 1000),
      inventory: {
        collectedAt: new Date(now.getTime() - 1000),
        receivedAt: new Date(now.getTime() - 1000),
        snapshot,
      },
    });
  }
  return {
    hostIds,
    rows,
    input: {
      allocations,
      hosts,
      pools: [{ id: poolId, name: "bench", cidr: CIDR, gateway: null, reserved: [] }],
    },
  };
}

// ------------------------------------------------------------------ pure
const pureIds = Array.from({ length: HOSTS }, (_, i) => `host-${i}`);
const pure = synthesize(pureIds, "pool-1", "net-1");
findLeaks(pure.input, now, { hostOfflineGraceMs: 300_000 }); // warm-up
const t0 = performance.now();
const pureCpu0 = cpuNow();
const pureFindings = findLeaks(pure.input, now, { hostOfflineGraceMs: 300_000 });
const pureMs = performance.now() - t0;
const pureCpuMs = cpuNow() - pureCpu0;

// ------------------------------------------------------------------ database
const server = await openScratchServer(process.env.DATABASE_URL, "bench-leaks");
process.env[TEST_ADMIN_URL_ENV] = server.adminUrl;
const db = await createTestDatabase();
let dbCheckMs = 0;
let dbFindings = 0;
let seedMs = 0;
let recheckMs = 0;
let loadMs = 0;
let dbCheckCpu = { node: 0, postgres: 0 };
try {
  const s0 = performance.now();
  const prisma = db.prisma;
  const pool = await prisma.addressPool.create({
    data: { name: "bench", cidr: CIDR, family: 4, blockSize: 16, cooldownSeconds: 60 },
  });
  const network = await prisma.network.create({
    data: {
      name: "bench",
      driver: "bridge",
      subnet: CIDR,
      prefixLength: 8,
      bridgeName: "br0",
      poolId: pool.id,
      createdAt: now,
    },
  });
  const hostIds: string[] = [];
  const CHUNK = 5000;
  const hostRows = Array.from({ length: HOSTS }, (_, h) => ({
    name: `bench-h${h}`,
    status: "online" as const,
    lastSeenAt: new Date(now.getTime() - 1000),
  }));
  for (let i = 0; i < hostRows.length; i += CHUNK) {
    const created = await prisma.host.createManyAndReturn({
      data: hostRows.slice(i, i + CHUNK),
      select: { id: true },
    });
    hostIds.push(...created.map((c) => c.id));
  }
  const synth = synthesize(hostIds, pool.id, network.id);
  const inventoryRows = synth.input.hosts.flatMap((h) =>
    h.inventory
      ? [
          {
            hostId: h.id,
            snapshot: h.inventory.snapshot as never,
            digest: h.id,
            collectedAt: h.inventory.collectedAt,
            receivedAt: h.inventory.receivedAt,
          },
        ]
      : [],
  );
  for (let i = 0; i < inventoryRows.length; i += 100)
    await prisma.hostInventory.createMany({ data: inventoryRows.slice(i, i + 100) });
  const blocks = new Map<string, { hostId: string; index: bigint }>();
  for (const r of synth.rows) {
    const index = r.offset / 16n;
    blocks.set(index.toString(), { hostId: hostIds[r.hostIndex] ?? "", index });
  }
  const blockRows = [...blocks.values()].map((b) => ({
    poolId: pool.id,
    index: b.index.toString(),
    hostId: b.hostId,
    claimedAt: now,
  }));
  for (let i = 0; i < blockRows.length; i += CHUNK)
    await prisma.addressBlock.createMany({ data: blockRows.slice(i, i + CHUNK) });
  const allocRows = synth.rows.map((r, k) => ({
    id: `alloc-${k}`,
    poolId: pool.id,
    address: r.address,
    offset: r.offset.toString(),
    heldOffset: r.offset.toString(),
    blockIndex: (r.offset / 16n).toString(),
    hostId: hostIds[r.hostIndex] ?? "",
    source: "block",
    networkId: network.id,
    endpointId: `att-${k}`,
    allocatedAt: new Date(now.getTime() - 3_600_000),
  }));
  for (let i = 0; i < allocRows.length; i += CHUNK)
    await prisma.addressAllocation.createMany({ data: allocRows.slice(i, i + CHUNK) });
  const attRows = synth.rows.map((r, k) => ({
    id: `att-${k}`,
    networkId: network.id,
    hostId: hostIds[r.hostIndex] ?? "",
    containerRuntime: "docker",
    containerRef: r.ref,
    ifname: "eth1",
    address: r.address,
    prefixLength: 8,
    status: "applied" as const,
    poolId: pool.id,
    allocationId: `alloc-${k}`,
    activeKey: `${hostIds[r.hostIndex]}|docker|${r.ref}|eth1`,
    serial: 1,
    createdAt: new Date(now.getTime() - 3_600_000),
    appliedAt: new Date(now.getTime() - 3_500_000),
  }));
  for (let i = 0; i < attRows.length; i += CHUNK)
    await prisma.attachment.createMany({ data: attRows.slice(i, i + CHUNK) });
  seedMs = performance.now() - s0;

  const ctx = { prisma, now: () => new Date() };
  const settings = { graceMs: 0, hostOfflineGraceMs: 300_000, webhookUrl: null };
  const l0 = performance.now();
  await loadCheckInput(prisma);
  loadMs = performance.now() - l0;
  const backends = (
    await prisma.$queryRaw<{ pid: number }[]>`
      SELECT pid FROM pg_stat_activity WHERE datname = current_database()`
  ).map((r) => r.pid);
  const pg0 = backendCpuMs(backends);
  const n0 = cpuNow();
  const c0 = performance.now();
  const first = await runLeakCheck(ctx, settings);
  dbCheckMs = performance.now() - c0;
  dbCheckCpu = { node: cpuNow() - n0, postgres: backendCpuMs(backends) - pg0 };
  dbFindings = first.result?.seen ?? 0;
  const c1 = performance.now();
  await runLeakCheck(ctx, settings);
  recheckMs = performance.now() - c1;
} finally {
  await db.drop();
  await server.stop();
}

console.log(
  JSON.stringify(
    {
      allocations: pure.input.allocations.length,
      hosts: HOSTS,
      target: { dbCheckMs: "<= 1000" },
      pureMs: round(pureMs),
      pureCpuMs: round(pureCpuMs),
      dbLoadMs: round(loadMs),
      dbCheckMs: round(dbCheckMs),
      dbCheckCpuMs: { node: round(dbCheckCpu.node), postgres: round(dbCheckCpu.postgres) },
      dbRecheckMs: round(recheckMs),
      findings: pureFindings.length,
      dbFindings,
      seedMs: round(seedMs),
      rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
      loadAverage: loadavg()[0],
    },
    null,
    2,
  ),
);
