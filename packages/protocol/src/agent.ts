import { z } from "zod";
import { inventorySchema } from "./inventory";

/** POST /api/v1/agent/enroll: a one-time enrollment token becomes a long-lived host credential. */
export const enrollBodySchema = z.object({
  token: z.string().min(1, "token is required"),
  protocolVersion: z.number().int(),
  agentVersion: z.string().min(1).max(64),
  hostname: z.string().min(1).max(255),
});
export type EnrollBody = z.infer<typeof enrollBodySchema>;

export const enrollResponseSchema = z.object({
  hostId: z.string(),
  hostName: z.string(),
  credential: z.string(),
});
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

/** socket.io `auth` payload on the /agent namespace. */
export const agentHandshakeSchema = z.object({
  credential: z.string().min(1, "credential is required"),
  protocolVersion: z.number().int(),
  /** Additive changes the agent knows (older agents send none: 0). */
  protocolMinor: z.number().int().min(0).default(0),
  agentVersion: z.string().min(1).max(64),
});
export type AgentHandshake = z.infer<typeof agentHandshakeSchema>;

/** `data` of the connect_error the server sends when it refuses an agent. */
export const agentRefusalSchema = z.object({
  code: z.enum(["protocol_mismatch", "unauthorized", "revoked", "bad_request"]),
  message: z.string(),
  serverProtocolVersion: z.number().int().optional(),
});
export type AgentRefusal = z.infer<typeof agentRefusalSchema>;

export const heartbeatSchema = z.object({
  sentAt: z.string(),
  appliedSerial: z.number().int().min(0),
});
export type Heartbeat = z.infer<typeof heartbeatSchema>;

export const inventoryReportSchema = z.object({ inventory: inventorySchema });
export type InventoryReport = z.infer<typeof inventoryReportSchema>;

/** Why the server refused an agent event (e.g. an inventory that fails inventorySchema, naming the field). */
export const agentAckErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  field: z.string().optional(),
});
export type AgentAckError = z.infer<typeof agentAckErrorSchema>;

/** The server's answer to every agent -> server event that asks for an ack. */
export const agentAckSchema = z.discriminatedUnion("ok", [
  z.object({ ok: z.literal(true) }),
  z.object({ ok: z.literal(false), error: agentAckErrorSchema }),
]);
export type AgentAck = z.infer<typeof agentAckSchema>;

/** Socket event names on /agent, agent -> server. */
export const AgentEvents = {
  inventory: "agent:inventory",
  heartbeat: "agent:heartbeat",
  /** Payload DesiredStateResult (desired-state.ts); acknowledged like the other agent events. */
  desiredStateResult: "agent:desired-state-result",
} as const;

/** Socket event names on /agent, server -> agent. */
export const ServerToAgentEvents = {
  welcome: "server:welcome",
  /** Payload RepairRequest (drift.ts), acknowledged with RepairAck: verify and repair the whole host now (minor 2). */
  repair: "server:repair",
  /** Payload DesiredState (desired-state.ts): the host's whole desired state, pushed after the welcome
   * and whenever it changes. The agent applies the newest serial and answers with agent:desired-state-result. */
  desiredState: "server:desired-state",
  /** Payload ProbeRequest (leaks.ts), acknowledged with ProbeAck: duplicate-address detection (arping -D). */
  probe: "server:probe",
  /** Payload PingRequest (trace.ts), acknowledged with PingResult: ping from inside a container (minor 2). */
  ping: "server:ping",
} as const;

export const welcomeSchema = z.object({
  hostId: z.string(),
  hostName: z.string(),
  heartbeatIntervalMs: z.number().int().positive(),
  /** The server's protocol minor: an agent uses only the events both sides know. */
  protocolMinor: z.number().int().min(0).default(0),
});
export type Welcome = z.infer<typeof welcomeSchema>;
