/**
 * Issue 8 point 5 through a real control plane (HTTP + socket.io, real PostgreSQL): what the agent
 * would refuse, or what would hurt other hosts, is refused at the edge with a 422 naming the field and
 * nothing written; an agent's invalid inventory is refused in the ack, stored nowhere, and the real
 * agent logs the refusal.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { type Inventory, PROTOCOL_VERSION } from "@switchyard/protocol";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAgent } from "../../agent/src/agent";
import { type AgentConfig, parseConfig } from "../../agent/src/config";
import { createLogger } from "../../agent/src/logger";
import { loadConfig } from "../src/server/config";
import { type ControlPlane, startControlPlane } from "../src/server/control-plane";

let db: TestDatabase;
let plane: ControlPlane;
const sockets: Socket[] = [];
const ADMIN_PASSWORD = "admin-pw-for-tests";
let cookie = "";
let host: { hostId: string; credential: string };

type Body = Record<string, unknown> & { error?: { code: string; field?: string; message: string } };

async function http(method: string, path: string, body?: unknown) {
  const res = await fetch(`${plane.url}${path}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Body };
}

async function createHost(name: string): Promise<string> {
  const created = await http("POST", "/api/v1/hosts", { name });
  expect(created.status).toBe(201);
  return (created.body.enrollment as { token: string }).token;
}

async function enroll(name: string) {
  const token = await createHost(name);
  const res = await fetch(`${plane.url}/api/v1/agent/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      token,
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: "0.1.0-test",
      hostname: name,
    }),
  });
  return (await res.json()) as { hostId: string; credential: string };
}

const inventory = (address: string, family: "inet" | "inet6" = "inet"): Inventory => ({
  collectedAt: new Date().toISOString(),
  hostname: "edge-h1",
  interfaces: [
    {
      name: "eth1",
      index: 2,
      kind: "",
      mac: "02:00:00:00:00:01",
      mtu: 1500,
      operState: "UP",
      master: null,
      peerIndex: null,
      addresses: [{ family, address, prefixLength: 24 }],
    },
  ],
  bridges: [],
  ovs: { available: false, error: null, bridges: [] },
  namespaces: ["web-1"],
  docker: { available: false, error: null },
  containers: [],
});

const snapshot = async () => ({
  networks: await db.prisma.network.count(),
  pools: await db.prisma.addressPool.count(),
  attachments: await db.prisma.attachment.count(),
  operations: await db.prisma.operation.count(),
  allocations: await db.prisma.addressAllocation.count(),
  serials: (await db.prisma.host.findMany({ orderBy: { name: "asc" } })).map((h) => h.desiredSerial),
});

/** Each case: the status and the field of the error, and nothing written. */
async function expectRefused(path: string, cases: [unknown, string][]) {
  for (const [body, field] of cases) {
    const before = await snapshot();
    const res = await http("POST", path, body);
    expect([JSON.stringify(body), res.status, res.body.error?.field]).toEqual([
      JSON.stringify(body),
      422,
      field,
    ]);
    expect(res.body.error?.message).toBeTruthy();
    expect(await snapshot()).toEqual(before);
  }
}

/** The agent's config as its command line gives it (defaults for everything not named). */
function agentConfig(argv: string[]): AgentConfig {
  const parsed = parseConfig(argv, {}, { hostname: "edge-h2" });
  if (parsed.action !== "run") throw new Error(`not a run config: ${parsed.action}`);
  return parsed.config;
}

beforeAll(async () => {
  db = await createTestDatabase();
  plane = await startControlPlane(
    loadConfig({
      DATABASE_URL: db.url,
      PORT: "0",
      HOST: "127.0.0.1",
      SWITCHYARD_UI: "false",
      LOG_LEVEL: "silent",
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    }),
  );
  const res = await fetch(`${plane.url}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@switchyard.local", password: ADMIN_PASSWORD }),
  });
  cookie = (res.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
  host = await enroll("edge-h1");
  const net = await http("POST", "/api/v1/networks", {
    name: "edge",
    driver: "bridge",
    subnet: "10.61.0.0/24",
  });
  expect(net.status).toBe(201);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await plane?.close();
  await db?.drop();
});

describe("refused at the edge with a 422 naming the field", () => {
  it("container refs the agent would refuse (or that leave /run/netns)", async () => {
    const attach = (container: unknown) => ({ host: "edge-h1", network: "edge", container });
    const long = "a".repeat(256);
    await expectRefused("/api/v1/attachments", [
      [attach("netns:../../proc/1/ns/net"), "container"],
      [attach("netns:/proc/1/ns/net"), "container"],
      [attach("netns:a;reboot"), "container"],
      [attach("netns:.."), "container"],
      [attach("docker:"), "container"],
      [attach("netns:"), "container"],
      [attach("docker:-rm"), "container"],
      [attach(`netns:${long}`), "container"],
      [attach(long), "container"],
      [attach({ runtime: "netns", ref: "../../proc/1/ns/net" }), "container.ref"],
      [attach({ runtime: "docker", ref: long }), "container.ref"],
    ]);
  });

  it("interface names beginning with '-' (ifname, bridge, uplink, host overrides)", async () => {
    await expectRefused("/api/v1/attachments", [
      [{ host: "edge-h1", network: "edge", container: "netns:web-1", ifname: "--" }, "ifname"],
      [{ host: "edge-h1", network: "edge", container: "netns:web-1", ifname: "-eth1" }, "ifname"],
    ]);
    const net = (extra: Record<string, unknown>) => ({
      name: "ifn",
      driver: "ovs",
      subnet: "10.62.0.0/24",
      ...extra,
    });
    await expectRefused("/api/v1/networks", [
      [net({ bridgeName: "--" }), "bridgeName"],
      [net({ uplink: "-eth1" }), "uplink"],
      [net({ hostOverrides: { "edge-h1": { bridgeName: "--" } } }), "hostOverrides.edge-h1.bridgeName"],
      [net({ hostOverrides: { "edge-h1": { uplink: "-x" } } }), "hostOverrides.edge-h1.uplink"],
      [
        {
          ...net({ driver: "vxlan", vni: 77 }),
          hostOverrides: { "edge-h1": { underlayAddress: "127.0.0.1" } },
        },
        "hostOverrides.edge-h1.underlayAddress",
      ],
    ]);
  });

  it("broadcast, multicast and all-zero MACs", async () => {
    const attach = (mac: string) => ({ host: "edge-h1", network: "edge", container: "netns:web-1", mac });
    await expectRefused("/api/v1/attachments", [
      [attach("ff:ff:ff:ff:ff:ff"), "mac"],
      [attach("01:00:5e:00:00:01"), "mac"],
      [attach("33:33:00:00:00:01"), "mac"],
      [attach("00:00:00:00:00:00"), "mac"],
    ]);
  });

  it("subnets of networks and pools: whole spaces, loopback, multicast, link-local, too large", async () => {
    const bad = [
      "0.0.0.0/0",
      "::/0",
      "127.0.0.0/24",
      "224.0.0.0/24",
      "169.254.0.0/16",
      "240.0.0.0/4",
      "::1/128",
      "ff02::/16",
      "fe80::/64",
      "10.0.0.0/7",
      "2001:db8::/32",
    ];
    await expectRefused(
      "/api/v1/networks",
      bad.map((subnet) => [{ name: "sub", driver: "bridge", subnet }, "subnet"]),
    );
    await expectRefused(
      "/api/v1/pools",
      bad.map((cidr) => [{ name: "sub", cidr }, "cidr"]),
    );
  });

  it("what is valid still passes: the limits are the agent's, not tighter", async () => {
    const max = "a".repeat(255);
    for (const [container, ifname, mac] of [
      ["netns:web-1", "eth1", "02:42:ac:11:00:02"],
      [`docker:${max}`, "eth2", undefined],
      [{ runtime: "netns", ref: "sy-ab_1.c" }, "a-", undefined],
    ] as const) {
      const res = await http("POST", "/api/v1/attachments", {
        host: "edge-h1",
        network: "edge",
        container,
        ifname,
        ...(mac ? { mac } : {}),
      });
      expect([container, res.status, res.body.error]).toEqual([container, 201, undefined]);
    }
    const pool = await http("POST", "/api/v1/pools", { name: "big", cidr: "10.0.0.0/8" });
    expect(pool.status).toBe(201);
    const v6 = await http("POST", "/api/v1/networks", {
      name: "v6",
      driver: "bridge",
      subnet: "2001:db8:61::/64",
    });
    expect(v6.status).toBe(201);
  });
});

describe("inventory from agents", () => {
  const emitInventory = async (payload: unknown) => {
    const socket = connect(`${plane.url}/agent`, {
      auth: { credential: host.credential, protocolVersion: PROTOCOL_VERSION, agentVersion: "0.1.0-test" },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("server:welcome", () => resolve());
      socket.once("connect_error", reject);
    });
    const ack = await socket.timeout(5000).emitWithAck("agent:inventory", payload);
    socket.close();
    return ack as unknown;
  };
  const stored = async () =>
    (await db.prisma.hostInventory.findUnique({ where: { hostId: host.hostId } }))?.snapshot as
      | Inventory
      | undefined;

  it("an address that is not an IP is refused in the ack, naming the field, and not stored", async () => {
    expect(await emitInventory({ inventory: inventory("192.0.2.10") })).toEqual({ ok: true });
    for (const [address, family] of [
      ["not-an-ip", "inet"],
      ["10.0.0.1;reboot", "inet"],
      ["2001:db8::1", "inet"],
    ] as const) {
      expect(await emitInventory({ inventory: inventory(address, family) })).toEqual({
        ok: false,
        error: {
          code: "validation_failed",
          message: expect.stringMatching(/not an IPv4 address/),
          field: "inventory.interfaces.0.addresses.0.address",
        },
      });
      expect((await stored())?.interfaces[0]?.addresses[0]?.address).toBe("192.0.2.10");
    }
  });

  it("the real agent logs the refusal with the server's reason", async () => {
    const token = await createHost("edge-h2");
    const dir = await mkdtemp(join(tmpdir(), "edge-agent-"));
    const logs: Record<string, unknown>[] = [];
    const controller = new AbortController();
    try {
      const run = runAgent({
        config: agentConfig([
          "--server",
          plane.url,
          "--token",
          token,
          "--credential-file",
          join(dir, "agent.json"),
          "--ovs-db",
          "unix:/nonexistent/db.sock",
          "--docker-socket",
          "/nonexistent/docker.sock",
          "--poll-interval",
          "100ms",
          "--reconcile-interval",
          "0",
          "--log-level",
          "debug",
        ]),
        identity: { agentVersion: "0.1.0-test", protocolVersion: PROTOCOL_VERSION },
        logger: createLogger({ level: "debug", write: (line) => logs.push(JSON.parse(line)) }),
        signal: controller.signal,
        collect: async () => inventory("300.1.2.3"),
        // Nothing on this machine is touched: the host's (empty) desired state is answered as applied.
        reconciler: {
          apply: async (state) => ({ serial: state.serial, results: [], events: [] }),
        },
      });
      const deadline = Date.now() + 10_000;
      const refusal = () => logs.find((l) => l.level === "error" && /refused/.test(String(l.msg)));
      while (!refusal() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(refusal()).toMatchObject({
        msg: "the control plane refused this host's inventory",
        code: "validation_failed",
        field: "inventory.interfaces.0.addresses.0.address",
      });
      controller.abort();
      expect(await run).toBe(0);
      const h2 = await db.prisma.host.findUniqueOrThrow({
        where: { name: "edge-h2" },
        include: { inventory: true },
      });
      expect(h2.inventory).toBeNull();
    } finally {
      controller.abort();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
