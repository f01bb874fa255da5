import { z } from "zod";
import { containerRefSchema } from "./desired-state";
import { idSchema, ipAddressSchema } from "./validators";

/**
 * The map's trace "test": after the L2 path is drawn from the inventories, both hosts' agents ping the
 * other container's address from inside their own container's network namespace, a few packets at most.
 */

/** Pings per direction at most: the test shows reachability, it is no load generator. */
export const PING_MAX_COUNT = 5;

/** The protocol minor that brought server:ping: an agent of a lower one is not asked. */
export const PING_PROTOCOL_MINOR = 2;

/** server:ping (protocol minor 2), acknowledged with PingResult. */
export const pingRequestSchema = z.object({
  /** The container as the agent knows it: a Docker id or name, or a named namespace. */
  container: containerRefSchema,
  /** An IP address (never an option: nothing that starts with '-' is one). */
  address: ipAddressSchema,
  count: z.number().int().min(1).max(PING_MAX_COUNT).default(3),
  /** How long each reply may take (ping -W, in whole seconds, rounded up). */
  timeoutMs: z.number().int().min(100).max(5_000).default(2_000),
});
export type PingRequest = z.infer<typeof pingRequestSchema>;

export const pingRttSchema = z.object({ min: z.number(), avg: z.number(), max: z.number() });

/** What one ping run saw; `error` when it could not run or nothing came back (ping's own text). */
export const pingResultSchema = z.object({
  sent: z.number().int().min(0),
  received: z.number().int().min(0),
  /** Round-trip times in ms over the replies (null without any). */
  rttMs: pingRttSchema.nullable(),
  error: z.string().nullable(),
  /** ping's output, trimmed and bounded. */
  output: z.string(),
});
export type PingResult = z.infer<typeof pingResultSchema>;

/** A container on the map: its host and its id in that host's inventory. */
export const traceEndSchema = z.object({
  hostId: idSchema,
  containerId: z.string().min(1, "containerId is required").max(128),
});
export type TraceEnd = z.infer<typeof traceEndSchema>;

/** POST /api/v1/topology/trace/test. */
export const traceTestBodySchema = z.object({
  from: traceEndSchema,
  to: traceEndSchema,
  count: z.number().int().min(1).max(PING_MAX_COUNT).default(3),
});
export type TraceTestBody = z.infer<typeof traceTestBodySchema>;

/** One direction of the test: `from`'s agent pinged `to`'s address from inside `from`'s container. */
export const traceTestDirectionSchema = pingResultSchema.extend({
  fromHost: z.string(),
  fromContainer: z.string(),
  toHost: z.string(),
  toContainer: z.string(),
  address: z.string(),
  /** At least one reply and no error. */
  ok: z.boolean(),
});
export type TraceTestDirection = z.infer<typeof traceTestDirectionSchema>;

export const traceTestResultSchema = z.object({
  /** The network both containers are attached to, when Switchyard attached them (else null: by subnet). */
  network: z.string().nullable(),
  /** from -> to, then to -> from. */
  directions: z.array(traceTestDirectionSchema),
  /** Every direction ok. */
  ok: z.boolean(),
});
export type TraceTestResult = z.infer<typeof traceTestResultSchema>;
