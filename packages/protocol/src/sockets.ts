import type { z } from "zod";
import {
  AgentEvents,
  agentAckSchema,
  heartbeatSchema,
  inventoryReportSchema,
  ServerToAgentEvents,
  welcomeSchema,
} from "./agent";
import {
  CniAgentEvents,
  cniAttachAckSchema,
  cniAttachRequestSchema,
  cniDetachAckSchema,
  cniDetachRequestSchema,
  cniGcRequestSchema,
} from "./cni";
import { desiredStateResultSchema, desiredStateSchema } from "./desired-state";
import { repairAckSchema, repairRequestSchema } from "./drift";
import { leaksChangedSchema, probeAckSchema, probeRequestSchema } from "./leaks";
import { pingRequestSchema, pingResultSchema } from "./trace";
import {
  attachmentChangedSchema,
  hostChangedSchema,
  inventoryChangedSchema,
  networkChangedSchema,
  operationChangedSchema,
  reconcileEventsSchema,
  UiEvents,
} from "./ui";

/** One socket event: its payload, and the answer when the sender waits for one. */
export interface SocketEvent {
  readonly message: z.ZodType;
  readonly ack?: z.ZodType;
}
type Catalog = Readonly<Record<string, SocketEvent>>;

/**
 * Every socket event, once per direction. A sender's payload is typed from `message`; a receiver parses
 * with it (payloads from the other side are untrusted) and answers with `ack`. A new event is an entry
 * here and a handler on the receiving side.
 */
export const agentToServerEvents = {
  [AgentEvents.inventory]: { message: inventoryReportSchema, ack: agentAckSchema },
  [AgentEvents.heartbeat]: { message: heartbeatSchema, ack: agentAckSchema },
  [AgentEvents.desiredStateResult]: { message: desiredStateResultSchema, ack: agentAckSchema },
  [CniAgentEvents.add]: { message: cniAttachRequestSchema, ack: cniAttachAckSchema },
  [CniAgentEvents.del]: { message: cniDetachRequestSchema, ack: cniDetachAckSchema },
  [CniAgentEvents.gc]: { message: cniGcRequestSchema, ack: cniDetachAckSchema },
} as const satisfies Catalog;

export const serverToAgentEvents = {
  [ServerToAgentEvents.welcome]: { message: welcomeSchema },
  /** Minor 2: "Repair now" on the map; an older agent never answers, so the ask times out. */
  [ServerToAgentEvents.repair]: { message: repairRequestSchema, ack: repairAckSchema },
  /** The host's whole desired state; the agent parses it entry by entry, so a bad entry fails alone. */
  [ServerToAgentEvents.desiredState]: { message: desiredStateSchema },
  [ServerToAgentEvents.probe]: { message: probeRequestSchema, ack: probeAckSchema },
  /** Minor 2: older agents never answer it, so the server refuses to ask them. */
  [ServerToAgentEvents.ping]: { message: pingRequestSchema, ack: pingResultSchema },
} as const satisfies Catalog;

/** Server -> browser: payloads name what changed; the UI patches or invalidates its cache. */
export const serverToUiEvents = {
  [UiEvents.hostChanged]: { message: hostChangedSchema },
  [UiEvents.inventoryChanged]: { message: inventoryChangedSchema },
  [UiEvents.operationChanged]: { message: operationChangedSchema },
  [UiEvents.attachmentChanged]: { message: attachmentChangedSchema },
  [UiEvents.networkChanged]: { message: networkChangedSchema },
  [UiEvents.reconcileEvents]: { message: reconcileEventsSchema },
  [UiEvents.leaksChanged]: { message: leaksChangedSchema },
} as const satisfies Catalog;

type Ack<E> = E extends { ack: infer A extends z.ZodType } ? A : never;

/** socket.io's event map of the side that sends a catalog: typed payloads, typed answers. */
export type EmitMap<C extends Catalog> = {
  [K in keyof C]: [Ack<C[K]>] extends [never]
    ? (payload: z.input<C[K]["message"]>) => void
    : (payload: z.input<C[K]["message"]>, ack: (answer: z.output<Ack<C[K]>>) => void) => void;
};

/** socket.io's event map of the side that receives a catalog: payloads unknown until parsed, typed answers. */
export type ListenMap<C extends Catalog> = {
  [K in keyof C]: [Ack<C[K]>] extends [never]
    ? (payload: unknown) => void
    : (payload: unknown, ack?: (answer: z.input<Ack<C[K]>>) => void) => void;
};

export type AgentToServerEvents = typeof agentToServerEvents;
export type ServerToAgentEventCatalog = typeof serverToAgentEvents;
export type ServerToUiEvents = typeof serverToUiEvents;

/** The payload a sender passes for one event. */
export type EventPayload<C extends Catalog, K extends keyof C> = z.input<C[K]["message"]>;
