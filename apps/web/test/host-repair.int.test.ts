/**
 * "Repair now" through two real control planes on one database (socket.io's Postgres adapter between
 * them): POST /api/v1/hosts/:id/repair lands on one replica, the agent is connected to the other.
 * Agents are simulated at the socket level (they answer server:repair); one of protocol minor 1 is
 * refused by name without being asked. GET /api/v1/hosts/:id/drift through the same server.
 */
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { hostDriftSchema, PROTOCOL_VERSION } from "@switchyard/protocol";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/server/config";
import { type ControlPlane, startControlPlane } from "../src/server/control-plane";

let db: TestDatabase;
let plane: ControlPlane;
let replica: ControlPlane;
let cookie = "";
const sockets = new Map<string, Socket>();
const ADMIN_PASSWORD = "admin-pw-for-repair-tests";
/** How many times each simulated agent was asked to repair, by host name. */
const asked = new Map<string, number>();
const ids = new Map<string, string>();

const configFor = (databaseUrl: string) =>
  loadConfig({
    DATABASE_URL: databaseUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    SWITCHYARD_UI: "false",
    LOG_LEVEL: "silent",
    SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    HEARTBEAT_INTERVAL_MS: "1000",
    OFFLINE_AFTER_MS: "60000",
    PRESENCE_SWEEP_INTERVAL_MS: "1000",
    AGENT_DISCONNECT_GRACE_MS: "60000",
  });

async function http(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), cookie },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A host whose agent reports one netns container `app` without interfaces. */
const inventory = (hostname: string) => ({
  collectedAt: new Date().toISOString(),
  hostname,
  interfaces: [],
  bridges: [],
  ovs: { available: false, error: null, bridges: [] },
  namespaces: ["app"],
  docker: { available: false, error: null },
  containers: [{ id: "app", name: "app", runtime: "netns", state: "running", pid: null, interfaces: [] }],
});

/** Enrolls host `name` and connects its simulated agent to `base`; resolves once it reported. */
async function agentOn(base: string, name: string, protocolMinor: number) {
  const created = await http(plane.url, "POST", "/api/v1/hosts", { name });
  const token = (created.body.enrollment as { token: string }).token;
  const enrolled = await http(plane.url, "POST", "/api/v1/agent/enroll", {
    token,
    protocolVersion: PROTOCOL_VERSION,
    agentVersion: "0.1.0-test",
    hostname: name,
  });
  const { hostId, credential } = enrolled.body as { hostId: string; credential: string };
  ids.set(name, hostId);
  const socket = connect(`${base}/agent`, {
    auth: { credential, protocolVersion: PROTOCOL_VERSION, protocolMinor, agentVersion: "0.1.0-test" },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  sockets.set(name, socket);
  socket.on("server:repair", (_request: unknown, ack: (answer: unknown) => void) => {
    asked.set(name, (asked.get(name) ?? 0) + 1);
    ack({ mode: "report", started: true });
  });
  await new Promise<void>((resolve) => socket.once("server:welcome", () => resolve()));
  const ack = await socket.emitWithAck("agent:inventory", { inventory: inventory(name) });
  expect(ack).toEqual({ ok: true });
}

const repair = (host: string) => http(plane.url, "POST", `/api/v1/hosts/${ids.get(host) ?? host}/repair`);

beforeAll(async () => {
  db = await createTestDatabase();
  plane = await startControlPlane(configFor(db.url));
  replica = await startControlPlane(configFor(db.url));
  const signIn = await fetch(`${plane.url}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@switchyard.local", password: ADMIN_PASSWORD }),
  });
  expect(signIn.status).toBe(200);
  cookie = (signIn.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
  await agentOn(replica.url, "hr-1", 2);
  await agentOn(replica.url, "hr-old", 1);
}, 60_000);

afterAll(async () => {
  for (const s of sockets.values()) s.close();
  await replica?.close();
  await plane?.close();
  await db?.drop();
});

describe("POST /api/v1/hosts/:id/repair", () => {
  it("asks the host's agent on the other replica and answers its mode (202), audited", async () => {
    const res = await repair("hr-1");
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body).toEqual({ hostId: ids.get("hr-1"), mode: "report", started: true });
    expect(asked.get("hr-1")).toBe(1);
    const audit = await db.prisma.auditEvent.findMany({ where: { action: "host.repair" } });
    expect(audit.map((a) => a.targetId)).toEqual([ids.get("hr-1")]);
  });

  it("an agent of protocol minor 1 is refused by name and never asked; an unknown host is a 404", async () => {
    const res = await repair("hr-old");
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "conflict", field: "id" });
    expect(String((res.body.error as { message: string }).message)).toMatch(/minor 2: upgrade it/);
    expect(asked.get("hr-old")).toBeUndefined();
    expect((await repair("no-such-host")).status).toBe(404);
  });

  it("an agent that is gone: 409 saying so", async () => {
    sockets.get("hr-1")?.close();
    const gone = async () => (await repair("hr-1")).status;
    await expect.poll(gone, { timeout: 10_000 }).toBe(409);
    expect(String(((await repair("hr-1")).body.error as { message: string }).message)).toContain(
      "not connected",
    );
  });
});

describe("GET /api/v1/hosts/:id/drift", () => {
  it("lists an applied attachment its inventory does not show, by host name too", async () => {
    const hostId = ids.get("hr-old") ?? "";
    const pool = await db.prisma.addressPool.create({
      data: { name: "hr-pool", cidr: "10.214.0.0/24", family: 4, blockSize: 16 },
    });
    const network = await db.prisma.network.create({
      data: {
        name: "hr-net",
        driver: "bridge",
        subnet: "10.214.0.0/24",
        prefixLength: 24,
        bridgeName: "br-hr",
        poolId: pool.id,
        createdAt: new Date(),
      },
    });
    await db.prisma.attachment.create({
      data: {
        networkId: network.id,
        hostId,
        containerRuntime: "netns",
        containerRef: "app",
        ifname: "eth1",
        address: "10.214.0.5",
        prefixLength: 24,
        poolId: pool.id,
        serial: 1,
        createdAt: new Date(),
        status: "applied",
        hostIfname: "sy0000abcdh",
      },
    });
    const res = await http(plane.url, "GET", "/api/v1/hosts/hr-old/drift");
    expect(res.status).toBe(200);
    const drift = hostDriftSchema.parse(res.body);
    expect(drift.hostId).toBe(hostId);
    expect(drift.items.map((i) => [i.kind, i.containerId, i.port, i.actual])).toEqual([
      ["missing_veth", "app", "sy0000abcdh", "neither end"],
    ]);
    const fleet = await http(plane.url, "GET", `/api/v1/topology/fleet?hosts=${hostId}`);
    expect((fleet.body.hosts as { drift: number }[])[0]?.drift).toBe(1);
    expect((await http(plane.url, "GET", "/api/v1/hosts/no-such-host/drift")).status).toBe(404);
  });
});
