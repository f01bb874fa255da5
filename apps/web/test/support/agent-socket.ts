/**
 * Agents simulated at the socket level for int tests, on two replicas: enrolled over REST as the admin,
 * connected to either replica's /agent, answering what the test registers.
 */
import { type Inventory, PROTOCOL_VERSION } from "@switchyard/protocol";
import { io as connect, type Socket } from "socket.io-client";
import { expect } from "vitest";
import type { ControlPlane } from "../../src/server/control-plane";
import { type SessionHttp, sessionHttp, signInCookie, startTestPlanes, type TestPlanes } from "./test-plane";

/**
 * Control-plane timings for simulated agents, which send no heartbeats: their hosts stay online for the
 * whole file, also for a while after a socket is closed.
 */
const SIMULATED_AGENT_ENV = {
  HEARTBEAT_INTERVAL_MS: "1000",
  OFFLINE_AFTER_MS: "60000",
  PRESENCE_SWEEP_INTERVAL_MS: "1000",
  AGENT_DISCONNECT_GRACE_MS: "60000",
};

export interface AgentPlanes extends TestPlanes {
  plane: ControlPlane;
  replica: ControlPlane;
  /** The admin signed in on `plane`. */
  http: SessionHttp;
}

/** Two replicas on one database (socket.io's Postgres adapter between them) for simulated agents. */
export async function startAgentPlanes(): Promise<AgentPlanes> {
  const env = await startTestPlanes(2, SIMULATED_AGENT_ENV);
  try {
    const [plane, replica] = env.planes as [ControlPlane, ControlPlane];
    return { ...env, plane, replica, http: sessionHttp(await signInCookie(plane.url)) };
  } catch (err) {
    await env.close();
    throw err;
  }
}

interface SimulatedAgentOptions {
  /** The replica whose /agent the socket connects to. */
  connectTo: string;
  name: string;
  protocolMinor: number;
  inventory: Inventory;
  /** Registers the agent's answers (server:* handlers) before it is welcomed. */
  answer(socket: Socket): void;
}

/**
 * Creates and enrolls host `name` as the admin on the first replica, connects its agent socket (pushed to `opened`
 * for cleanup) and resolves once the server welcomed it and acknowledged its inventory.
 */
export async function connectSimulatedAgent(
  { plane, http }: AgentPlanes,
  options: SimulatedAgentOptions,
  opened: Socket[],
): Promise<{ hostId: string; socket: Socket }> {
  const { name } = options;
  const created = await http(plane.url, "POST", "/api/v1/hosts", { name });
  const token = (created.body.enrollment as { token: string }).token;
  const enrolled = await http(plane.url, "POST", "/api/v1/agent/enroll", {
    token,
    protocolVersion: PROTOCOL_VERSION,
    agentVersion: "0.1.0-test",
    hostname: name,
  });
  const { hostId, credential } = enrolled.body as { hostId: string; credential: string };
  const socket = connect(`${options.connectTo}/agent`, {
    auth: {
      credential,
      protocolVersion: PROTOCOL_VERSION,
      protocolMinor: options.protocolMinor,
      agentVersion: "0.1.0-test",
    },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  opened.push(socket);
  options.answer(socket);
  await new Promise<void>((resolve) => socket.once("server:welcome", () => resolve()));
  const ack = await socket.emitWithAck("agent:inventory", { inventory: options.inventory });
  expect(ack).toEqual({ ok: true });
  return { hostId, socket };
}
