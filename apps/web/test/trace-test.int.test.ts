/**
 * The trace test through two real control planes on one database (socket.io's Postgres adapter between
 * them): the REST call lands on one replica, one agent is connected to the other. Agents are simulated at
 * the socket level (they answer server:ping with what they were asked); an agent of protocol minor 1 is
 * refused by name without being asked, and bad input is a 4xx naming the field.
 */
import type { TestDatabase } from "@switchyard/db/testing";
import type { PingRequest, TraceTestResult } from "@switchyard/protocol";
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
const sockets: Socket[] = [];
/** What each simulated agent was asked to ping, by host name. */
const asked = new Map<string, PingRequest[]>();
const ids = new Map<string, string>();

/**
 * Connects host `name`'s simulated agent to `base` with `protocolMinor`: one netns container holding
 * `address`/24 on eth0; an address ending in .99 gets no replies.
 */
async function agentOn(
  base: string,
  name: string,
  container: string,
  address: string,
  protocolMinor: number,
) {
  const { hostId } = await connectSimulatedAgent(
    env,
    {
      connectTo: base,
      name,
      protocolMinor,
      inventory: netnsInventory(name, { [container]: address }),
      answer: (s) =>
        s.on("server:ping", (request: PingRequest, ack: (answer: unknown) => void) => {
          asked.set(name, [...(asked.get(name) ?? []), request]);
          const replies = request.address.endsWith(".99") ? 0 : request.count;
          ack({
            sent: request.count,
            received: replies,
            rttMs: replies ? { min: 0.1, avg: 0.2, max: 0.4 } : null,
            error: replies ? null : `no reply from ${request.address}`,
            output: `${request.count} packets transmitted, ${replies} received`,
          });
        }),
    },
    sockets,
  );
  ids.set(name, hostId);
}

const end = (host: string, containerId: string) => ({ hostId: ids.get(host) ?? host, containerId });
const test = (from: unknown, to: unknown, extra: Record<string, unknown> = {}) =>
  http(plane.url, "POST", "/api/v1/topology/trace/test", { from, to, ...extra });

beforeAll(async () => {
  env = await startAgentPlanes();
  ({ db, plane, replica, http } = env);
  // tt-1's agent on the other replica, tt-2's on this one, tt-old (minor 1) on the other.
  await agentOn(replica.url, "tt-1", "con1", "10.213.0.1", 2);
  await agentOn(plane.url, "tt-2", "con3", "10.213.0.3", 2);
  await agentOn(replica.url, "tt-old", "con9", "10.213.0.99", 1);
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await env?.close();
});

describe("POST /api/v1/topology/trace/test", () => {
  it("asks both agents at once (one on the other replica) to ping the other container's address", async () => {
    const res = await test(end("tt-1", "con1"), end("tt-2", "con3"));
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const result = res.body as unknown as TraceTestResult;
    expect(result.ok).toBe(true);
    expect(result.network).toBeNull(); // not attached by Switchyard: the addresses come from one subnet
    expect(
      result.directions.map((d) => [d.fromHost, d.fromContainer, d.toContainer, d.address, d.received, d.ok]),
    ).toEqual([
      ["tt-1", "con1", "con3", "10.213.0.3", 3, true],
      ["tt-2", "con3", "con1", "10.213.0.1", 3, true],
    ]);
    expect(asked.get("tt-1")).toEqual([
      { container: { runtime: "netns", ref: "con1" }, address: "10.213.0.3", count: 3, timeoutMs: 2000 },
    ]);
    expect(asked.get("tt-2")?.[0]).toMatchObject({ container: { ref: "con3" }, address: "10.213.0.1" });
  });

  it("an agent of protocol minor 1 is refused by name and never asked", async () => {
    const res = await test(end("tt-old", "con9"), end("tt-1", "con1"));
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "conflict", field: "from.hostId" });
    expect(String((res.body.error as { message: string }).message)).toMatch(
      /cannot ping from tt-old: .*protocol minor 1.*minor 2.*upgrade the agent/,
    );
    expect(asked.get("tt-old")).toBeUndefined();
  });

  it("bad input is a 4xx naming the field", async () => {
    const cases: [unknown, unknown, Record<string, unknown>, number, string][] = [
      [end("tt-1", "con1"), { hostId: ids.get("tt-2") }, {}, 422, "to.containerId"],
      [end("tt-1", "con1"), end("tt-2", "con3"), { count: 6 }, 422, "count"],
      [end("tt-1", "con1"), end("tt-1", "con1"), {}, 422, "to.containerId"],
      [end("nope", "con1"), end("tt-1", "con1"), {}, 404, "from.hostId"],
      [end("tt-1", "con1"), end("tt-2", "gone"), {}, 404, "to.containerId"],
    ];
    for (const [from, to, extra, status, field] of cases) {
      const res = await test(from, to, extra);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect((res.body.error as { field: string }).field).toMatch(new RegExp(`(^|\\.)${field}$`));
    }
  });

  it("a host whose agent is gone: 409 naming it", async () => {
    await db.prisma.host.update({ where: { id: ids.get("tt-2") ?? "" }, data: { status: "offline" } });
    const res = await test(end("tt-1", "con1"), end("tt-2", "con3"));
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "conflict", field: "to.hostId" });
    expect(String((res.body.error as { message: string }).message)).toContain("tt-2 is offline");
  });
});
