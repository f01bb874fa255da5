import {
  applyDesiredStateResult,
  authenticateAgent,
  DomainError,
  ingestInventory,
  markConverging,
  markOfflineIfNotSeenSince,
  markSeen,
  recordHeartbeat,
  type ServiceContext,
} from "@switchyard/control";
import { isDatabaseUnavailable } from "@switchyard/db";
import {
  type AgentAck,
  AgentEvents,
  type AgentRefusal,
  type AgentToServerEvents,
  agentHandshakeSchema,
  agentToServerEvents,
  type DesiredState,
  type EmitMap,
  type ListenMap,
  PROTOCOL_MINOR,
  PROTOCOL_VERSION,
  type ServerToAgentEventCatalog,
  ServerToAgentEvents,
} from "@switchyard/protocol";
import type { ExtendedError, Namespace, Socket } from "socket.io";
import type { z } from "zod";
import { handleCniEvents } from "./agent-cni";
import type { HubPort } from "./broadcast";
import type { Logger } from "./logger";
import { observeFinishedOperations } from "./metrics/runtime";

interface AgentSocketData {
  hostId: string;
  hostName: string;
  agentVersion: string;
  /** The protocol minor the agent knows: events newer than it are not sent to it. */
  protocolMinor: number;
}
export type AgentSocket = Socket<
  ListenMap<AgentToServerEvents>,
  EmitMap<ServerToAgentEventCatalog>,
  Record<string, never>,
  AgentSocketData
>;

export type AgentNamespace = Namespace<
  ListenMap<AgentToServerEvents>,
  EmitMap<ServerToAgentEventCatalog>,
  Record<string, never>,
  AgentSocketData
>;

/** What one agent connection needs to know of the hub's settings. */
export interface AgentConnectionOptions {
  heartbeatIntervalMs: number;
  agentDisconnectGraceMs: number;
  /** A host reconnecting with desired-state changes it has not applied stays offline until it
   * acknowledges them (it removes leftovers first); after this long it is marked online anyway. */
  convergeTimeoutMs?: number;
}

/** The socket.io room of one host's agent (on any replica, through the adapter). */
export const hostRoom = (hostId: string) => `host:${hostId}`;

function refusal(data: AgentRefusal): Error & { data: AgentRefusal } {
  return Object.assign(new Error(data.message), { data });
}

/**
 * `/agent` handshake: protocol version first (a mismatch is refused with both versions named), then
 * the host credential (unknown -> unauthorized, revoked host -> revoked).
 */
export function authenticateAgentSocket(services: ServiceContext, logger: Logger) {
  return async (socket: AgentSocket, next: (err?: ExtendedError) => void) => {
    const auth: unknown = socket.handshake.auth;
    const claimed = (auth as { protocolVersion?: unknown } | null)?.protocolVersion;
    if (typeof claimed === "number" && claimed !== PROTOCOL_VERSION) {
      return next(
        refusal({
          code: "protocol_mismatch",
          message: `agent speaks protocol version ${claimed} but this control plane speaks ${PROTOCOL_VERSION}; upgrade to matching releases`,
          serverProtocolVersion: PROTOCOL_VERSION,
        }),
      );
    }
    const parsed = agentHandshakeSchema.safeParse(auth);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return next(
        refusal({
          code: "bad_request",
          message: `bad handshake: ${issue?.path.join(".") || "auth"}: ${issue?.message ?? "invalid"}`,
          serverProtocolVersion: PROTOCOL_VERSION,
        }),
      );
    }
    try {
      const host = await authenticateAgent(services, parsed.data);
      socket.data = {
        hostId: host.id,
        hostName: host.name,
        agentVersion: parsed.data.agentVersion,
        protocolMinor: parsed.data.protocolMinor,
      };
      next();
    } catch (err) {
      if (err instanceof DomainError) {
        const code =
          err.code === "forbidden" ? "revoked" : err.code === "protocol_mismatch" ? err.code : "unauthorized";
        logger.warn({ code, message: err.message, address: socket.handshake.address }, "agent refused");
        return next(refusal({ code, message: err.message, serverProtocolVersion: PROTOCOL_VERSION }));
      }
      logger.error({ err }, "agent authentication failed");
      next(new Error("internal error, try again"));
    }
  };
}

export interface AgentConnectionDeps {
  services: ServiceContext;
  hub: HubPort;
  options: AgentConnectionOptions;
  logger: Logger;
  /** Timers to clear when the hub stops. */
  timers: Set<NodeJS.Timeout>;
  isStopped(): boolean;
  sendDesiredState(hostId: string, send: (state: DesiredState) => void): Promise<number>;
  /** How many sockets of this host's agent are connected, on every replica. */
  agentsOfHost(hostId: string): Promise<number>;
}

/**
 * One connected agent: welcome and its whole desired state on connect, its events handled in order,
 * presence (online, converging, offline after the disconnect grace).
 */
export function handleAgentConnection(socket: AgentSocket, deps: AgentConnectionDeps): void {
  const { services, hub, options, logger, timers, isStopped, sendDesiredState, agentsOfHost } = deps;
  const { hostId, hostName, agentVersion } = socket.data;
  const log = logger.child({ hostId, host: hostName, socket: socket.id });
  void socket.join(hostRoom(hostId));
  // Converging: the host came back with desired-state changes it has not applied (e.g. addresses
  // released as leaked while it was away). It stays offline, its presence only refreshed, until its
  // agent acknowledges that serial, so it removes the leftovers before it reports healthy.
  let converging: { serial: number; timer: NodeJS.Timeout } | null = null;
  const seen = async (extra: Parameters<typeof markSeen>[2] = {}) => {
    if (converging) {
      await markConverging(services, hostId, extra);
      return { changed: false, host: null };
    }
    return markSeen(services, hostId, extra);
  };
  const converged = async (why: string) => {
    if (!converging) return;
    clearTimeout(converging.timer);
    timers.delete(converging.timer);
    converging = null;
    const result = await markSeen(services, hostId);
    log.info({ why }, "host converged: online");
    if (result.changed) hub.hostChanged(result.host);
  };

  // Events of one agent are handled in order.
  let queue: Promise<void> = Promise.resolve();
  const serially = (work: () => Promise<void>) => {
    queue = queue.then(work, work);
  };
  const reply = (ack: unknown, result: AgentAck) => {
    if (typeof ack === "function") (ack as (r: AgentAck) => void)(result);
  };
  const fail = (ack: unknown, err: unknown, what: string) => {
    if (err instanceof DomainError) {
      log.warn({ code: err.code, message: err.message, field: err.field }, `${what} refused`);
      reply(ack, {
        ok: false,
        error: { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) },
      });
      if (err.code === "forbidden") socket.disconnect(true);
    } else if (isDatabaseUnavailable(err)) {
      // The agent keeps its socket and resends (results are kept until acknowledged).
      log.warn(`${what} not recorded: database unavailable`);
      reply(ack, {
        ok: false,
        error: { code: "unavailable", message: "the database is unavailable; retry shortly" },
      });
    } else {
      log.error({ err }, `${what} failed`);
      reply(ack, { ok: false, error: { code: "internal", message: "internal error" } });
    }
  };

  /** One agent event: parsed with its catalog schema, handled in order, answered through the ack. */
  const onAgentEvent = <E extends (typeof AgentEvents)[keyof typeof AgentEvents]>(
    event: E,
    what: string,
    handle: (payload: z.output<AgentToServerEvents[E]["message"]>) => Promise<void>,
  ) => {
    // TypeScript cannot tie a union key to its own entry: this is that entry's schema.
    const schema = agentToServerEvents[event].message as unknown as z.ZodType<
      z.output<AgentToServerEvents[E]["message"]>
    >;
    const listener = (payload: unknown, ack?: (answer: AgentAck) => void) =>
      serially(async () => {
        try {
          const parsed = schema.safeParse(payload);
          if (!parsed.success) {
            const issue = parsed.error.issues[0];
            throw new DomainError(
              "validation_failed",
              `${what} is invalid: ${issue?.message ?? "invalid"}`,
              issue?.path.join(".") || what,
            );
          }
          await handle(parsed.data);
          reply(ack, { ok: true });
        } catch (err) {
          fail(ack, err, what);
        }
      });
    // Every ordered agent event answers an AgentAck, so one listener type fits them all.
    socket.on(event as typeof AgentEvents.inventory, listener);
  };

  handleCniEvents(socket, { services, hub, log });

  onAgentEvent(AgentEvents.inventory, "inventory", async (report) => {
    const result = await ingestInventory(services, hostId, report.inventory);
    if (result.changed) {
      log.debug({ digest: result.digest }, "inventory stored");
      hub.inventoryChanged(hostId, result.receivedAt);
    }
    const presence = await seen();
    if (presence.changed && presence.host) hub.hostChanged(presence.host);
  });

  // The newest desired serial this socket was sent, whichever replica sent it (through the adapter).
  let sentSerial = -1;
  socket.onAnyOutgoing((event: string, payload: unknown) => {
    if (event !== ServerToAgentEvents.desiredState) return;
    const serial = (payload as { serial?: unknown } | null)?.serial;
    if (typeof serial === "number" && serial > sentSerial) sentSerial = serial;
  });

  onAgentEvent(AgentEvents.heartbeat, "heartbeat", async (heartbeat) => {
    if (converging) {
      await seen({ appliedSerial: heartbeat.appliedSerial });
      return;
    }
    const result = await recordHeartbeat(services, hostId, heartbeat);
    if (result.changed) {
      log.info("host back online");
      hub.hostChanged(result.host);
    }
    // Intent written but never pushed to this agent (the replica that wrote it died before its push, or
    // the push was lost): the heartbeat notices the gap and this replica sends the state itself.
    if (result.desiredSerial > heartbeat.appliedSerial && result.desiredSerial > sentSerial) {
      log.warn({ desired: result.desiredSerial, sent: sentSerial }, "desired state never sent: pushing it");
      await sendDesiredState(hostId, (state) => socket.emit(ServerToAgentEvents.desiredState, state));
    }
  });

  onAgentEvent(AgentEvents.desiredStateResult, "desired state result", async (result) => {
    const outcome = await applyDesiredStateResult(services, hostId, result);
    if (converging && outcome.accepted && result.serial >= converging.serial) {
      await converged(`agent applied serial ${result.serial}`);
    }
    if (!outcome.accepted) {
      log.warn({ serial: result.serial }, "result for a serial this host never had, ignored");
    }
    hub.ledgerChanged(outcome);
    observeFinishedOperations(outcome.operations);
    if (outcome.notable.length > 0) {
      log.info({ serial: result.serial, events: outcome.notable }, "agent repaired drift or failed");
      hub.reconcileEvents({ hostId, serial: result.serial, events: outcome.notable });
    }
  });

  socket.on("disconnect", (reason) => {
    const disconnectedAt = services.now();
    if (converging) {
      clearTimeout(converging.timer);
      timers.delete(converging.timer);
      converging = null;
    }
    log.info({ reason }, "agent disconnected");
    if (isStopped()) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      void (async () => {
        try {
          // Reconnected meanwhile (to this or another replica)?
          if ((await agentsOfHost(hostId)) > 0) return;
          const host = await markOfflineIfNotSeenSince(services, hostId, disconnectedAt);
          if (host) {
            log.info("host offline after disconnect");
            hub.hostChanged(host);
          }
        } catch (err) {
          log.error({ err }, "marking host offline failed");
        }
      })();
    }, options.agentDisconnectGraceMs);
    timers.add(timer);
  });

  serially(async () => {
    try {
      const before = await services.prisma.host.findUnique({
        where: { id: hostId },
        select: { status: true, desiredSerial: true, appliedSerial: true },
      });
      if (before && before.status !== "online" && before.desiredSerial > before.appliedSerial) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          serially(() =>
            converged("converge timeout").catch((err: unknown) => fail(undefined, err, "converge")),
          );
        }, options.convergeTimeoutMs ?? 60_000);
        timers.add(timer);
        converging = { serial: before.desiredSerial, timer };
        log.info(
          { serial: before.desiredSerial, applied: before.appliedSerial },
          "host converging before online",
        );
      }
      const result = await seen({ agentVersion, protocolVersion: PROTOCOL_VERSION });
      log.info({ agentVersion, protocolMinor: socket.data.protocolMinor }, "agent connected");
      if (result.changed && result.host) hub.hostChanged(result.host);
      socket.emit(ServerToAgentEvents.welcome, {
        hostId,
        hostName,
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        protocolMinor: PROTOCOL_MINOR,
      });
    } catch (err) {
      fail(undefined, err, "connect");
      socket.disconnect(true);
      return;
    }
    try {
      // Whatever happened while the agent was away: its whole current desired state.
      const serial = await sendDesiredState(hostId, (state) =>
        socket.emit(ServerToAgentEvents.desiredState, state),
      );
      log.info({ serial }, "desired state sent on connect");
    } catch (err) {
      log.error({ err }, "sending the desired state on connect failed");
    }
  });
}
