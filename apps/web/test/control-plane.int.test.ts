import type { TestDatabase } from "@switchyard/db/testing";
import { type HostSummary, PROTOCOL_MINOR, PROTOCOL_VERSION } from "@switchyard/protocol";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlPlane } from "../src/server/control-plane";
import { signInCookie, startTestPlanes, type TestPlanes } from "./support/test-plane";

let env: TestPlanes;
let db: TestDatabase;
let plane: ControlPlane;
let replica: ControlPlane;
const sockets: Socket[] = [];

async function http(base: string, method: string, path: string, body?: unknown, cookie?: string) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...(cookie ? { cookie } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

let cookie = "";

async function createEnrolledHost(name: string): Promise<{ hostId: string; credential: string }> {
  const created = await http(plane.url, "POST", "/api/v1/hosts", { name }, cookie);
  expect(created.status).toBe(201);
  const token = (created.body.enrollment as { token: string }).token;
  const enrolled = await http(plane.url, "POST", "/api/v1/agent/enroll", {
    token,
    protocolVersion: PROTOCOL_VERSION,
    agentVersion: "0.1.0-test",
    hostname: `${name}.lab`,
  });
  expect(enrolled.status).toBe(201);
  return enrolled.body as { hostId: string; credential: string };
}

function agent(base: string, auth: Record<string, unknown>): Socket {
  const socket = connect(`${base}/agent`, {
    auth,
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  sockets.push(socket);
  return socket;
}

function uiClient(base: string, withCookie = cookie): Socket {
  const socket = connect(`${base}/ui`, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    ...(withCookie ? { extraHeaders: { cookie: withCookie } } : {}),
  });
  sockets.push(socket);
  return socket;
}

function once<T>(socket: Socket, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${timeoutMs} ms`)), timeoutMs);
    socket.once(event, (payload: T) => {
      clearTimeout(timer);
      resolve(payload);
    });
  });
}

/** Resolves with the first host:changed for `hostId` with `status`. */
function hostChanged(ui: Socket, hostId: string, status: HostSummary["status"], timeoutMs = 5000) {
  return new Promise<{ host: HostSummary; at: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      ui.off("host:changed", listener);
      reject(new Error(`no host:changed ${status} for ${hostId} within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (payload: { host: HostSummary }) => {
      if (payload.host.id === hostId && payload.host.status === status) {
        clearTimeout(timer);
        ui.off("host:changed", listener);
        resolve({ host: payload.host, at: Date.now() });
      }
    };
    ui.on("host:changed", listener);
  });
}

const inventory = (hostname: string) => ({
  collectedAt: new Date().toISOString(),
  hostname,
  interfaces: [
    {
      name: "br0",
      index: 3,
      kind: "bridge",
      mac: "02:00:00:00:00:03",
      mtu: 1500,
      operState: "UP",
      master: null,
      peerIndex: null,
      addresses: [{ family: "inet", address: "10.10.103.1", prefixLength: 24 }],
    },
  ],
  bridges: [{ name: "br0", ports: [] }],
  ovs: { available: false, error: null, bridges: [] },
  namespaces: [],
  docker: { available: false, error: null },
  containers: [],
});

beforeAll(async () => {
  env = await startTestPlanes(2, {
    HEARTBEAT_INTERVAL_MS: "200",
    OFFLINE_AFTER_MS: "800",
    PRESENCE_SWEEP_INTERVAL_MS: "100",
    AGENT_DISCONNECT_GRACE_MS: "300",
  });
  ({ db } = env);
  [plane, replica] = env.planes as [ControlPlane, ControlPlane];
  cookie = await signInCookie(plane.url);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await env?.close();
});

describe("control plane over real HTTP and socket.io", () => {
  it("bootstraps the admin from config and serves health without Next", async () => {
    expect(plane.admin).toMatchObject({
      created: true,
      email: "admin@switchyard.local",
      oneTimePassword: null,
    });
    expect(replica.admin.created).toBe(false);
    const health = await http(plane.url, "GET", "/api/v1/health");
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: "ok", database: { ok: true } });
    const other = await fetch(`${plane.url}/hosts`);
    expect(other.status).toBe(404);
    // Prometheus' default path is the API's metrics route, behind the same auth.
    expect((await fetch(`${plane.url}/metrics`)).status).toBe(401);
    const metrics = await fetch(`${plane.url}/metrics`, { headers: { cookie } });
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain("# HELP switchyard_leak_findings");
    const [table] = await db.prisma.$queryRaw<{ name: string | null }[]>`
      SELECT to_regclass('public.socket_io_attachments')::text AS name`;
    expect(table?.name).toBe("socket_io_attachments");
  });

  it("an enrolled agent gets welcome, reports inventory, and the UI hears about it", async () => {
    const { hostId, credential } = await createEnrolledHost("sock-1");
    const ui = uiClient(plane.url);
    await once(ui, "connect");
    const online = hostChanged(ui, hostId, "online");
    const inventoryChanged = once<{ hostId: string; receivedAt: string }>(ui, "inventory:changed");

    const a = agent(plane.url, { credential, protocolVersion: PROTOCOL_VERSION, agentVersion: "0.1.0-test" });
    const welcome = await once<{ hostId: string; hostName: string; heartbeatIntervalMs: number }>(
      a,
      "server:welcome",
    );
    expect(welcome).toEqual({
      hostId,
      hostName: "sock-1",
      heartbeatIntervalMs: 200,
      protocolMinor: PROTOCOL_MINOR,
    });
    expect((await online).host).toMatchObject({
      name: "sock-1",
      status: "online",
      agentVersion: "0.1.0-test",
    });

    const ack = await a.emitWithAck("agent:inventory", { inventory: inventory("sock-1.lab") });
    expect(ack).toEqual({ ok: true });
    expect((await inventoryChanged).hostId).toBe(hostId);
    const detail = await http(plane.url, "GET", `/api/v1/hosts/${hostId}`, undefined, cookie);
    expect(detail.body).toMatchObject({
      status: "online",
      hostname: "sock-1.lab",
      inventory: { bridges: [{ name: "br0", ports: [] }] },
    });
    const stored = await db.prisma.hostInventory.findUniqueOrThrow({ where: { hostId } });
    expect(stored.digest).toMatch(/^[0-9a-f]{64}$/);

    const badAck = await a.emitWithAck("agent:inventory", { inventory: { hostname: 1 } });
    expect(badAck).toMatchObject({ ok: false, error: { code: "validation_failed" } });
    expect(
      await a.emitWithAck("agent:heartbeat", { sentAt: new Date().toISOString(), appliedSerial: 0 }),
    ).toEqual({
      ok: true,
    });

    // No more heartbeats: the sweeper marks the host offline after OFFLINE_AFTER_MS and the UI hears it.
    const offline = await hostChanged(ui, hostId, "offline", 4000);
    expect(offline.host.lastSeenAt).not.toBeNull();
    // A heartbeat brings it back.
    const back = hostChanged(ui, hostId, "online");
    a.emit("agent:heartbeat", { sentAt: new Date().toISOString(), appliedSerial: 0 });
    await back;

    // Closing the agent marks the host offline after the disconnect grace.
    const gone = hostChanged(ui, hostId, "offline", 3000);
    const closedAt = Date.now();
    a.close();
    const { at } = await gone;
    expect(at - closedAt).toBeLessThan(2500);
  });

  it("refuses a mismatched protocol version with protocol_mismatch", async () => {
    const { credential } = await createEnrolledHost("sock-2");
    const a = agent(plane.url, { credential, protocolVersion: PROTOCOL_VERSION + 1, agentVersion: "9.9.9" });
    const err = await once<Error & { data?: unknown }>(a, "connect_error");
    expect(err.data).toMatchObject({ code: "protocol_mismatch", serverProtocolVersion: PROTOCOL_VERSION });
    expect(err.message).toContain(`speaks ${PROTOCOL_VERSION}`);
    const host = await db.prisma.host.findUniqueOrThrow({ where: { name: "sock-2" } });
    expect(host.status).toBe("pending");
  });

  it("refuses an unknown credential and a malformed handshake", async () => {
    const bad = agent(plane.url, {
      credential: "syh_forged",
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: "0.1.0",
    });
    expect((await once<Error & { data?: unknown }>(bad, "connect_error")).data).toMatchObject({
      code: "unauthorized",
    });
    const malformed = agent(plane.url, { protocolVersion: PROTOCOL_VERSION });
    expect((await once<Error & { data?: unknown }>(malformed, "connect_error")).data).toMatchObject({
      code: "bad_request",
    });
  });

  it("the /ui namespace needs a session", async () => {
    const anonymous = uiClient(plane.url, "");
    const err = await once<Error & { data?: unknown }>(anonymous, "connect_error");
    expect(err.data).toMatchObject({ code: "unauthorized" });
  });

  it("revoking a host disconnects its live agent (on another replica too) and refuses it afterwards", async () => {
    const { hostId, credential } = await createEnrolledHost("sock-3");
    const auth = { credential, protocolVersion: PROTOCOL_VERSION, agentVersion: "0.1.0-test" };
    // The agent is on the replica; the revoke goes through the first server.
    const a = agent(replica.url, auth);
    await once(a, "server:welcome");
    const ui = uiClient(plane.url);
    await once(ui, "connect");
    const revokedEvent = hostChanged(ui, hostId, "revoked");
    const disconnected = once<string>(a, "disconnect");
    const res = await http(plane.url, "POST", "/api/v1/hosts/sock-3/revoke", { reason: "test" }, cookie);
    expect(res.status).toBe(200);
    expect(await disconnected).toBe("io server disconnect");
    await revokedEvent;

    const again = agent(plane.url, auth);
    expect((await once<Error & { data?: unknown }>(again, "connect_error")).data).toMatchObject({
      code: "revoked",
    });
  });

  it("serves socket.io's HTTP long-polling transport too (not only websockets)", async () => {
    const { credential } = await createEnrolledHost("sock-5");
    const a = connect(`${plane.url}/agent`, {
      auth: { credential, protocolVersion: PROTOCOL_VERSION, agentVersion: "0.1.0-test" },
      transports: ["polling"],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(a);
    await once(a, "server:welcome");
    expect(
      await a.emitWithAck("agent:heartbeat", { sentAt: new Date().toISOString(), appliedSerial: 0 }),
    ).toEqual({
      ok: true,
    });
    a.close();
  });

  it("a UI client on one replica hears about an agent connected to another", async () => {
    const { hostId, credential } = await createEnrolledHost("sock-4");
    const ui = uiClient(plane.url);
    await once(ui, "connect");
    const online = hostChanged(ui, hostId, "online");
    const a = agent(replica.url, {
      credential,
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: "0.1.0-test",
    });
    await once(a, "server:welcome");
    await online;
    a.close();
  });
});
