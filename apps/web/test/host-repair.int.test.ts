/**
 * "Repair now" through two real control planes on one database (socket.io's Postgres adapter between
 * them): POST /api/v1/hosts/:id/repair lands on one replica, the agent is connected to the other.
 * Agents are simulated at the socket level (they answer server:repair); one of protocol minor 1 is
 * refused by name without being asked. GET /api/v1/hosts/:id/drift through the same server.
 */
import type { TestDatabase } from "@switchyard/db/testing";
import { hostDriftSchema } from "@switchyard/protocol";
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlPlane } from "../src/server/control-plane";
import { type AgentPlanes, connectSimulatedAgent, startAgentPlanes } from "./support/agent-socket";
import { netnsInventory } from "./support/netns-inventory";
import type { SessionHttp } from "./support/test-plane";

let env: AgentPlanes;
let db: TestDatabase;
let plane: ControlPlane;
let replica: ControlPlane;
let http: SessionHttp;
const opened: Socket[] = [];
const sockets = new Map<string, Socket>();
/** How many times each simulated agent was asked to repair, by host name. */
const asked = new Map<string, number>();
const ids = new Map<string, string>();

/** Connects host `name`'s simulated agent (one netns container `app` without interfaces) to `base`. */
async function agentOn(base: string, name: string, protocolMinor: number) {
  const { hostId, socket } = await connectSimulatedAgent(
    env,
    {
      connectTo: base,
      name,
      protocolMinor,
      inventory: netnsInventory(name, { app: null }),
      answer: (s) =>
        s.on("server:repair", (_request: unknown, ack: (answer: unknown) => void) => {
          asked.set(name, (asked.get(name) ?? 0) + 1);
          ack({ mode: "report", started: true });
        }),
    },
    opened,
  );
  ids.set(name, hostId);
  sockets.set(name, socket);
}

const repair = (host: string) => http(plane.url, "POST", `/api/v1/hosts/${ids.get(host) ?? host}/repair`);

beforeAll(async () => {
  env = await startAgentPlanes();
  ({ db, plane, replica, http } = env);
  await agentOn(replica.url, "hr-1", 2);
  await agentOn(replica.url, "hr-old", 1);
}, 60_000);

afterAll(async () => {
  for (const s of opened) s.close();
  await env?.close();
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
    expect(String((res.body.error as { message: string }).message)).toMatch(
      /protocol minor 1, without repair \(minor 2\): upgrade the agent/,
    );
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
