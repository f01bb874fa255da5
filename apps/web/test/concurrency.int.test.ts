/**
 * Hunts for double holders, deadlocks and 5xx under hostile interleavings (issue 8): two control planes
 * on one PostgreSQL (this process and a `server.ts` child), three hosts whose agents are simulated at
 * the socket level (they apply every desired state and report inventories), and workers that for a
 * bounded time do random attaches (identical retries with and without sticky and idempotency keys),
 * detaches, raw IPAM releases, containers dying behind Switchyard's back, leak releases and undos, and
 * network creation with host overrides, on bridge, OVS and VXLAN networks. After every step it checks
 * the invariants; at the end, once things settle, that no allocation is left without a holder.
 *
 * Replay a failure with the seed it prints: CONCURRENCY_SEED=N npm test -- int
 * (CONCURRENCY_SECONDS sets the duration, default 20).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import {
  type DesiredState,
  type DesiredStateResult,
  type Inventory,
  PROTOCOL_VERSION,
} from "@switchyard/protocol";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../src/server/config";
import { type ControlPlane, startControlPlane } from "../src/server/control-plane";
import { createAdminToken } from "./support/api";

const SEED = Number(process.env.CONCURRENCY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SECONDS = Number(process.env.CONCURRENCY_SECONDS ?? 20);
const WORKERS = 6;
const ADMIN_PASSWORD = "admin-pw-for-concurrency";
const webDir = path.resolve(import.meta.dirname, "..");

/** mulberry32: a small seeded PRNG, so a seed replays the same choices (timing aside). */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

let db: TestDatabase;
let plane: ControlPlane;
let child: ChildProcess | undefined;
let childUrl = "";
let token = "";
const agents: FakeAgent[] = [];
const failures: string[] = [];
const statusCounts = new Map<string, number>();

async function startChildPlane(databaseUrl: string): Promise<string> {
  const proc = spawn(process.execPath, ["--import", "tsx", "server.ts", "--no-local-agent"], {
    cwd: webDir,
    env: {
      PATH: process.env.PATH,
      NODE_ENV: "test",
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      SWITCHYARD_UI: "false",
      LOG_LEVEL: "warn",
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LEAK_GRACE: "0",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = proc;
  let out = "";
  let err = "";
  proc.stderr.on("data", (d: Buffer) => {
    err += d.toString();
  });
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`replica did not start: ${out} ${err}`)), 60_000);
    proc.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /Switchyard control plane: (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    proc.once("exit", (code) => reject(new Error(`replica exited ${code}: ${err}`)));
  });
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

async function call(
  base: string,
  method: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(`${base}${p}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  const key = `${method} ${
    p
      .replace(/[0-9a-f-]{36}/g, ":id")
      .replace(/allocations\/[^/?]+/, "allocations/:address")
      .split("?")[0]
  } ${res.status}`;
  statusCounts.set(key, (statusCounts.get(key) ?? 0) + 1);
  if (res.status >= 500) failures.push(`${key}: ${text.slice(0, 300)}`);
  return { status: res.status, body: parsed };
}

/** An agent at the socket level: applies every desired state at once and reports what it "has". */
class FakeAgent {
  readonly socket: Socket;
  /** Containers that died behind Switchyard's back (their endpoints fail, the inventory omits them). */
  readonly dead = new Set<string>();
  private state: DesiredState | null = null;
  private applied = new Map<string, { ref: string; ifname: string; address: string }>();

  constructor(
    base: string,
    credential: string,
    readonly name: string,
    readonly underlay: string,
  ) {
    this.socket = connect(`${base}/agent`, {
      auth: { credential, protocolVersion: PROTOCOL_VERSION, agentVersion: "0.1.0-test" },
      transports: ["websocket"],
      forceNew: true,
    });
    this.socket.on("server:welcome", (w: { heartbeatIntervalMs: number }) => {
      const beat = () =>
        this.socket.emit("agent:heartbeat", { sentAt: new Date().toISOString(), appliedSerial: 0 });
      beat();
      setInterval(beat, w.heartbeatIntervalMs).unref();
      void this.report();
    });
    this.socket.on("server:desired-state", (s: DesiredState) => {
      if (this.state && s.serial <= this.state.serial) return;
      this.state = s;
      void this.answer(s);
    });
  }

  private async answer(s: DesiredState): Promise<void> {
    const result: DesiredStateResult = {
      serial: s.serial,
      results: s.endpoints.map((e) =>
        this.dead.has(e.container.ref)
          ? {
              endpointId: e.id,
              status: "failed",
              error: `container ${e.container.ref} not found`,
              hostIfname: null,
            }
          : { endpointId: e.id, status: "applied", error: null, hostIfname: `sy${e.id.slice(0, 8)}h` },
      ),
      events: [],
    };
    this.applied = new Map(
      s.endpoints
        .filter((e) => !this.dead.has(e.container.ref))
        .map((e) => [e.id, { ref: e.container.ref, ifname: e.ifname, address: e.address }]),
    );
    await this.socket
      .timeout(10_000)
      .emitWithAck("agent:desired-state-result", result)
      .catch(() => undefined);
    await this.report();
  }

  kill(ref: string): Promise<void> {
    this.dead.add(ref);
    for (const [id, e] of this.applied) if (e.ref === ref) this.applied.delete(id);
    return this.report();
  }

  async report(): Promise<void> {
    const containers = new Map<string, Inventory["containers"][number]>();
    let index = 100;
    for (const e of this.applied.values()) {
      const c = containers.get(e.ref) ?? {
        id: e.ref,
        name: e.ref,
        runtime: "netns" as const,
        state: "running",
        pid: null,
        interfaces: [],
      };
      c.interfaces.push({
        name: e.ifname,
        index: index++,
        kind: "veth",
        mac: null,
        peerIndex: null,
        addresses: [{ family: "inet", address: e.address, prefixLength: 24 }],
      });
      containers.set(e.ref, c);
    }
    const inventory: Inventory = {
      collectedAt: new Date().toISOString(),
      hostname: this.name,
      interfaces: ["eth0", "eth1"].map((name, i) => ({
        name,
        index: i + 2,
        kind: "veth",
        mac: null,
        mtu: 1500,
        operState: "UP",
        master: null,
        peerIndex: null,
        addresses:
          name === "eth0" ? [{ family: "inet" as const, address: this.underlay, prefixLength: 24 }] : [],
      })),
      bridges: [],
      ovs: { available: true, error: null, bridges: [] },
      namespaces: [...containers.keys()],
      docker: { available: false, error: null },
      containers: [...containers.values()],
    };
    await this.socket
      .timeout(10_000)
      .emitWithAck("agent:inventory", { inventory })
      .catch(() => undefined);
  }
}

interface LiveRow {
  id: string;
  poolId: string;
  address: string;
  hostId: string;
  containerRef: string;
  status: string;
}

async function liveAttachments(): Promise<LiveRow[]> {
  return db.prisma.$queryRaw<LiveRow[]>`
    SELECT "id", "poolId", "address", "hostId", "containerRef", "status"::text AS status
    FROM "Attachment" WHERE "status" <> 'detached'`;
}

/** The invariants that must hold at every moment; returns what is violated. */
async function violations(): Promise<string[]> {
  const out: string[] = [];
  const twice = await db.prisma.$queryRaw<{ address: string; n: number }[]>`
    SELECT "address", count(*)::int AS n FROM "Attachment" WHERE "status" <> 'detached'
    GROUP BY "poolId", "address" HAVING count(*) > 1`;
  for (const t of twice) out.push(`${t.address} held by ${t.n} live attachments of one pool`);
  // One L2 segment, across pools: the effective bridge (override or default) and VLAN/VNI of each holder.
  const segmentTwice = await db.prisma.$queryRaw<{ address: string; segment: string; n: number }[]>`
    SELECT a."address", concat_ws('|', n."driver"::text, coalesce(o."bridgeName", n."bridgeName"), n."vlan"::text,
        n."vni"::text, coalesce(o."uplink", n."uplink")) AS segment, count(*)::int AS n
    FROM "Attachment" a JOIN "Network" n ON n."id" = a."networkId"
    LEFT JOIN "NetworkHostOverride" o ON o."networkId" = n."id" AND o."hostId" = a."hostId"
    WHERE a."status" <> 'detached' GROUP BY 1, 2 HAVING count(*) > 1`;
  for (const t of segmentTwice)
    out.push(`${t.address} held by ${t.n} live attachments on segment ${t.segment}`);
  // A live attachment's allocation holds its address (a finished detach may have released it just
  // before the attachment is marked detached: still cooling, never handed out).
  const unbacked = await db.prisma.$queryRaw<{ id: string; status: string }[]>`
    SELECT a."id", a."status"::text AS status FROM "Attachment" a
    LEFT JOIN "AddressAllocation" al ON al."id" = a."allocationId"
    WHERE a."status" <> 'detached' AND (al."id" IS NULL OR al."heldOffset" IS NULL OR al."address" <> a."address"
      OR al."poolId" <> a."poolId" OR (al."releasedAt" IS NOT NULL AND a."status" <> 'detaching'))`;
  for (const u of unbacked)
    out.push(`attachment ${u.id} (${u.status}) is not backed by an active allocation`);
  return out;
}

async function deadlocks(): Promise<number> {
  const [row] = await db.prisma.$queryRaw<{ n: bigint }[]>`
    SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()`;
  return Number(row?.n ?? 0);
}

beforeAll(async () => {
  console.log(`concurrency suite: seed ${SEED} (replay: CONCURRENCY_SEED=${SEED}), ${SECONDS} s`);
  db = await createTestDatabase();
  plane = await startControlPlane(
    loadConfig({
      DATABASE_URL: db.url,
      PORT: "0",
      HOST: "127.0.0.1",
      SWITCHYARD_UI: "false",
      LOG_LEVEL: "silent",
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LEAK_GRACE: "0",
    }),
  );
  childUrl = await startChildPlane(db.url);
  token = await createAdminToken(plane.url, "admin@switchyard.local", ADMIN_PASSWORD);
  for (const [i, name] of ["h1", "h2", "h3"].entries()) {
    const created = await call(plane.url, "POST", "/api/v1/hosts", { name });
    const enrollToken = (created.body.enrollment as { token: string }).token;
    const res = await fetch(`${plane.url}/api/v1/agent/enroll`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        token: enrollToken,
        protocolVersion: PROTOCOL_VERSION,
        agentVersion: "0.1.0-test",
        hostname: name,
      }),
    });
    const { credential } = (await res.json()) as { credential: string };
    agents.push(new FakeAgent(i % 2 === 0 ? plane.url : childUrl, credential, name, `10.97.${i + 1}.10`));
  }
  const deadline = Date.now() + 20_000;
  while ((await db.prisma.hostInventory.count()) < 3 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 100));
  for (const n of [
    { name: "flat", driver: "bridge", subnet: "10.79.0.0/24" },
    { name: "v10", driver: "ovs", vlan: 10, subnet: "10.79.1.0/24", uplink: "eth1" },
    { name: "v20", driver: "ovs", vlan: 20, subnet: "10.79.1.0/24", uplink: "eth1" },
    { name: "vx", driver: "vxlan", vni: 700, subnet: "10.79.2.0/24" },
  ]) {
    const r = await call(plane.url, "POST", "/api/v1/networks", n);
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  }
}, 180_000);

afterAll(async () => {
  for (const a of agents) a.socket.close();
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child?.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null) child.kill("SIGKILL");
  }
  await plane?.close();
  await db?.drop();
});

it("no address twice, no deadlock, no 5xx under random interleavings on two replicas", async () => {
  const before = await deadlocks();
  const releases: string[] = [];
  const bases = [plane.url, childUrl];
  const hosts = ["h1", "h2", "h3"];
  const subnets = ["10.80.0.0/24", "10.80.0.0/25", "10.80.0.128/25", "10.79.0.0/25", "10.81.0.0/24"];
  const end = Date.now() + SECONDS * 1000;
  let steps = 0;

  const worker = async (w: number) => {
    const rand = prng(SEED + w);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
    const base = () => pick(bases);
    while (Date.now() < end) {
      const r = rand();
      const live = await liveAttachments();
      if (r < 0.4) {
        const networks = await db.prisma.network.findMany({ select: { name: true } });
        const body = {
          host: pick(hosts),
          container: `netns:c${Math.floor(rand() * 10)}`,
          network: pick(networks).name,
          ifname: pick(["eth1", "eth2"]),
          ...(rand() < 0.3 ? { stickyKey: `s${Math.floor(rand() * 3)}` } : {}),
        };
        const headers: Record<string, string> = rand() < 0.4 ? { "idempotency-key": randomUUID() } : {};
        const copies = rand() < 0.3 ? 2 : 1;
        const replies = await Promise.all(
          Array.from({ length: copies }, () => call(base(), "POST", "/api/v1/attachments", body, headers)),
        );
        if (copies === 2 && headers["idempotency-key"] && replies.every((x) => x.status === 201)) {
          const ids = replies.map((x) => (x.body.attachment as { id: string }).id);
          if (ids[0] !== ids[1])
            failures.push(`an idempotent retry created a second attachment: ${ids.join(" ")}`);
        }
      } else if (r < 0.6 && live.length > 0) {
        await call(base(), "DELETE", `/api/v1/attachments/${pick(live).id}`);
      } else if (r < 0.68 && live.length > 0) {
        const a = pick(live);
        const reply = await call(
          base(),
          "DELETE",
          `/api/v1/pools/${a.poolId}/allocations/${a.address}?reason=chaos`,
        );
        if (reply.status === 200) {
          const still = await db.prisma.attachment.findUnique({ where: { id: a.id } });
          if (still && still.status !== "detached" && still.status !== "detaching")
            failures.push(`raw release of ${a.address} succeeded under live attachment ${a.id}`);
        }
      } else if (r < 0.76 && live.length > 0) {
        const a = pick(live);
        await agents[
          hosts.indexOf((await db.prisma.host.findUniqueOrThrow({ where: { id: a.hostId } })).name)
        ]?.kill(a.containerRef);
      } else if (r < 0.86 && live.length > 0) {
        const a = pick(live);
        const reply = await call(base(), "POST", "/api/v1/leaks/release", {
          pool: a.poolId,
          address: a.address,
          reason: "chaos",
        });
        const release = (reply.body.results as { release: { id: string } | null }[] | undefined)?.[0]
          ?.release;
        if (release) releases.push(release.id);
      } else if (r < 0.9 && releases.length > 0) {
        await call(base(), "POST", `/api/v1/leaks/release/${pick(releases)}/undo`, { reason: "chaos" });
      } else {
        const driver = pick(["bridge", "ovs", "vxlan"] as const);
        await call(base(), "POST", "/api/v1/networks", {
          name: `n${w}-${steps}`,
          driver,
          subnet: pick(subnets),
          ...(driver === "ovs" ? { vlan: pick([10, 20, 30]), uplink: "eth1" } : {}),
          ...(driver === "vxlan" ? { vni: 1000 + Math.floor(rand() * 50) } : {}),
          ...(driver !== "ovs" && rand() < 0.5 ? { bridgeName: pick(["brA", "brB"]) } : {}),
          ...(rand() < 0.5
            ? { hostOverrides: { [pick(hosts)]: { bridgeName: pick(["br0", "brA", "brB", "ovs0"]) } } }
            : {}),
        });
      }
      steps++;
      for (const v of await violations()) failures.push(`after step ${steps} (worker ${w}): ${v}`);
      if (failures.length > 0) return;
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));

  // Settle: every detach finished by the agents.
  const deadline = Date.now() + 20_000;
  while ((await db.prisma.attachment.count({ where: { status: "detaching" } })) > 0 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 200));
  for (const v of await violations()) failures.push(`at the end: ${v}`);
  const orphans = await db.prisma.$queryRaw<{ address: string }[]>`
    SELECT al."address" FROM "AddressAllocation" al LEFT JOIN "Attachment" a ON a."allocationId" = al."id"
    WHERE al."releasedAt" IS NULL AND al."heldOffset" IS NOT NULL AND (a."id" IS NULL OR a."status" = 'detached')`;
  for (const o of orphans) failures.push(`at the end: ${o.address} is allocated without a live holder`);
  const lockedUp = (await deadlocks()) - before;
  if (lockedUp > 0) failures.push(`${lockedUp} deadlock(s) counted by PostgreSQL`);

  const summary = [...statusCounts.entries()].sort().map(([k, n]) => `${k}: ${n}`);
  console.log(`concurrency suite: seed ${SEED}, ${steps} steps\n  ${summary.join("\n  ")}`);
  expect(failures, `seed ${SEED} (replay: CONCURRENCY_SEED=${SEED})`).toEqual([]);
  // The run exercised what it claims to: attaches succeeded on every driver, and refusals happened.
  const attached = await db.prisma.attachment.groupBy({ by: ["networkId"], _count: { _all: true } });
  expect(attached.length).toBeGreaterThanOrEqual(3);
  expect(summary.some((s) => /POST \/api\/v1\/attachments 409/.test(s))).toBe(true);
}, 240_000);
