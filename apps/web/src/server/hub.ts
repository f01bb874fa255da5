import {
  applyDesiredStateResult,
  authenticateAgent,
  DomainError,
  ingestInventory,
  type LedgerChanges,
  leakCounts,
  loadDesiredState,
  markConverging,
  markOfflineIfNotSeenSince,
  markOperationsSent,
  markSeen,
  recordBuildProblems,
  recordHeartbeat,
  type ServiceContext,
  sweepOfflineHosts,
} from "@switchyard/control";
import {
  AgentEvents,
  type AgentRefusal,
  type Attachment,
  agentHandshakeSchema,
  type DesiredState,
  desiredStateResultSchema,
  type HostSummary,
  heartbeatSchema,
  inventoryReportSchema,
  type LeaksChanged,
  type Network,
  type Operation,
  PROTOCOL_VERSION,
  type ProbeAck,
  type ProbeRequest,
  probeAckSchema,
  type ReconcileEvents,
  ServerToAgentEvents,
  UiEvents,
  type User,
  type Welcome,
} from "@switchyard/protocol";
import type { Namespace, Server } from "socket.io";
import type { z } from "zod";
import { authenticateRequest, type HubPort } from "./api/context";
import type { Logger } from "./logger";

/** Result of an agent event, sent to the agent's ack callback when it asked for one. */
export type AgentAck = { ok: true } | { ok: false; error: { code: string; message: string; field?: string } };

export interface AgentToServerEvents {
  [AgentEvents.inventory]: (payload: unknown, ack?: (result: AgentAck) => void) => void;
  [AgentEvents.heartbeat]: (payload: unknown, ack?: (result: AgentAck) => void) => void;
  [AgentEvents.desiredStateResult]: (payload: unknown, ack?: (result: AgentAck) => void) => void;
}
export interface ServerToAgentEventMap {
  [ServerToAgentEvents.welcome]: (welcome: Welcome) => void;
  [ServerToAgentEvents.desiredState]: (state: DesiredState) => void;
  [ServerToAgentEvents.probe]: (request: ProbeRequest, ack: (result: unknown) => void) => void;
}
export interface AgentSocketData {
  hostId: string;
  hostName: string;
  agentVersion: string;
}
export interface ServerToUiEvents {
  [UiEvents.hostChanged]: (payload: { host: HostSummary }) => void;
  [UiEvents.inventoryChanged]: (payload: { hostId: string; receivedAt: string }) => void;
  [UiEvents.operationChanged]: (payload: { operation: Operation }) => void;
  [UiEvents.attachmentChanged]: (payload: { attachment: Attachment }) => void;
  [UiEvents.networkChanged]: (payload: { networkId: string; network: Network | null }) => void;
  [UiEvents.reconcileEvents]: (payload: ReconcileEvents) => void;
  [UiEvents.leaksChanged]: (payload: LeaksChanged) => void;
}
export interface UiSocketData {
  user: User;
}

type AgentNamespace = Namespace<
  AgentToServerEvents,
  ServerToAgentEventMap,
  Record<string, never>,
  AgentSocketData
>;
type UiNamespace = Namespace<Record<string, never>, ServerToUiEvents, Record<string, never>, UiSocketData>;

export interface HubOptions {
  heartbeatIntervalMs: number;
  offlineAfterMs: number;
  presenceSweepIntervalMs: number;
  agentDisconnectGraceMs: number;
  /** A host reconnecting with desired-state changes it has not applied stays offline until it
   * acknowledges them (it removes leftovers first); after this long it is marked online anyway. */
  convergeTimeoutMs?: number;
}

export interface Hub extends HubPort {
  desiredStateChanged(hostIds: readonly string[]): void;
  ledgerChanged(changes: { attachments?: readonly Attachment[]; operations?: readonly Operation[] }): void;
  networkChanged(networkId: string, network: Network | null): void;
  leaksChanged(changedIds: readonly string[]): void;
  probeHost(hostId: string, request: ProbeRequest): Promise<ProbeAck>;
  /**
   * Pushes the host's whole desired state to its agent (wherever it is connected) and marks its pending
   * operations sent; does nothing while the agent is offline (its operations stay pending until it
   * connects). Resolves the pushed serial, or null.
   */
  pushDesiredState(hostId: string): Promise<number | null>;
  /** One presence sweep now (the interval calls this too); returns the hosts marked offline. */
  sweep(): Promise<HostSummary[]>;
  stop(): void;
}

const hostRoom = (hostId: string) => `host:${hostId}`;

function refusal(data: AgentRefusal): Error & { data: AgentRefusal } {
  return Object.assign(new Error(data.message), { data });
}

/**
 * The socket.io side of the control plane: `/agent` for host agents (credential handshake, welcome,
 * inventory, heartbeats, presence) and `/ui` for signed-in browsers (host and inventory changes).
 */
export function createHub(io: Server, services: ServiceContext, options: HubOptions, logger: Logger): Hub {
  const agents = io.of("/agent") as unknown as AgentNamespace;
  const ui = io.of("/ui") as unknown as UiNamespace;
  const timers = new Set<NodeJS.Timeout>();
  let stopped = false;

  const hub: Hub = {
    hostChanged(host) {
      ui.emit(UiEvents.hostChanged, { host });
    },
    inventoryChanged(hostId, receivedAt) {
      ui.emit(UiEvents.inventoryChanged, { hostId, receivedAt: receivedAt.toISOString() });
    },
    disconnectHost(hostId) {
      agents.in(hostRoom(hostId)).disconnectSockets(true);
    },
    desiredStateChanged(hostIds) {
      for (const hostId of new Set(hostIds)) {
        hub.pushDesiredState(hostId).catch((err: unknown) => {
          logger.error({ err, hostId }, "pushing the desired state failed");
        });
      }
    },
    ledgerChanged(changes) {
      for (const attachment of changes.attachments ?? []) ui.emit(UiEvents.attachmentChanged, { attachment });
      for (const operation of changes.operations ?? []) ui.emit(UiEvents.operationChanged, { operation });
    },
    networkChanged(networkId, network) {
      ui.emit(UiEvents.networkChanged, { networkId, network });
    },
    leaksChanged(changedIds) {
      leakCounts(services.prisma)
        .then((counts) => ui.emit(UiEvents.leaksChanged, { ...counts, changedIds: [...changedIds] }))
        .catch((err: unknown) => logger.error({ err }, "counting leak findings failed"));
    },
    async probeHost(hostId, request) {
      const sockets = await agents.in(hostRoom(hostId)).fetchSockets();
      if (sockets.length === 0) throw new Error("the host's agent is not connected");
      const replies: unknown[] = await agents
        .to(hostRoom(hostId))
        .timeout(request.timeoutMs + 5_000)
        .emitWithAck(ServerToAgentEvents.probe, request);
      const parsed = probeAckSchema.safeParse(replies[0]);
      if (!parsed.success) throw new Error("the agent gave no valid probe answer");
      return parsed.data satisfies ProbeAck;
    },
    async pushDesiredState(hostId) {
      // fetchSockets asks every replica (through the adapter): is the agent connected anywhere?
      const sockets = await agents.in(hostRoom(hostId)).fetchSockets();
      if (sockets.length === 0) return null;
      return sendDesiredState(hostId, (state) =>
        agents.to(hostRoom(hostId)).emit(ServerToAgentEvents.desiredState, state),
      );
    },
    async sweep() {
      const changed = await sweepOfflineHosts(services, options.offlineAfterMs);
      for (const host of changed) {
        logger.info({ hostId: host.id, host: host.name }, "host missed its heartbeats: offline");
        hub.hostChanged(host);
      }
      return changed;
    },
    stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };

  /** Builds the host's desired state, hands it to `send`, then records what was sent. */
  async function sendDesiredState(hostId: string, send: (state: DesiredState) => void): Promise<number> {
    const plan = await loadDesiredState(services.prisma, hostId);
    const problems: LedgerChanges = await recordBuildProblems(services, plan.problems);
    send(plan.state);
    const sent = await markOperationsSent(services, hostId, plan.state.serial);
    hub.ledgerChanged({ attachments: problems.attachments, operations: [...problems.operations, ...sent] });
    logger.debug(
      { hostId, serial: plan.state.serial, endpoints: plan.state.endpoints.length },
      "desired state pushed",
    );
    return plan.state.serial;
  }

  // ------------------------------------------------------------------ /agent
  agents.use(async (socket, next) => {
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
      socket.data = { hostId: host.id, hostName: host.name, agentVersion: parsed.data.agentVersion };
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
  });

  agents.on("connection", (socket) => {
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
      } else {
        log.error({ err }, `${what} failed`);
        reply(ack, { ok: false, error: { code: "internal", message: "internal error" } });
      }
    };

    /** One agent event: parsed with its protocol schema, handled in order, answered through the ack. */
    const onAgentEvent = <T>(
      event: string,
      schema: z.ZodType<T>,
      what: string,
      handle: (payload: T) => Promise<void>,
    ) => {
      socket.on(event as typeof AgentEvents.inventory, (payload: unknown, ack: unknown) =>
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
        }),
      );
    };

    onAgentEvent(AgentEvents.inventory, inventoryReportSchema, "inventory", async (report) => {
      const result = await ingestInventory(services, hostId, report.inventory);
      if (result.changed) {
        log.debug({ digest: result.digest }, "inventory stored");
        hub.inventoryChanged(hostId, result.receivedAt);
      }
      const presence = await seen();
      if (presence.changed && presence.host) hub.hostChanged(presence.host);
    });

    onAgentEvent(AgentEvents.heartbeat, heartbeatSchema, "heartbeat", async (heartbeat) => {
      const result = converging
        ? await seen({ appliedSerial: heartbeat.appliedSerial })
        : await recordHeartbeat(services, hostId, heartbeat);
      if (result.changed && result.host) {
        log.info("host back online");
        hub.hostChanged(result.host);
      }
    });

    onAgentEvent(
      AgentEvents.desiredStateResult,
      desiredStateResultSchema,
      "desired state result",
      async (result) => {
        const outcome = await applyDesiredStateResult(services, hostId, result);
        if (converging && outcome.accepted && result.serial >= converging.serial) {
          await converged(`agent applied serial ${result.serial}`);
        }
        if (!outcome.accepted) {
          log.warn({ serial: result.serial }, "result for a serial this host never had, ignored");
        }
        hub.ledgerChanged(outcome);
        if (outcome.notable.length > 0) {
          log.info({ serial: result.serial, events: outcome.notable }, "agent repaired drift or failed");
          ui.emit(UiEvents.reconcileEvents, { hostId, serial: result.serial, events: outcome.notable });
        }
      },
    );

    socket.on("disconnect", (reason) => {
      const disconnectedAt = services.now();
      if (converging) {
        clearTimeout(converging.timer);
        timers.delete(converging.timer);
        converging = null;
      }
      log.info({ reason }, "agent disconnected");
      if (stopped) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        void (async () => {
          try {
            // Reconnected meanwhile (to this or another replica)?
            const remaining = await agents.in(hostRoom(hostId)).fetchSockets();
            if (remaining.length > 0) return;
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
        log.info({ agentVersion }, "agent connected");
        if (result.changed && result.host) hub.hostChanged(result.host);
        socket.emit(ServerToAgentEvents.welcome, {
          hostId,
          hostName,
          heartbeatIntervalMs: options.heartbeatIntervalMs,
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
  });

  // ------------------------------------------------------------------ /ui
  ui.use(async (socket, next) => {
    const headers = new Headers();
    const cookie = socket.handshake.headers.cookie;
    if (cookie) headers.set("cookie", cookie);
    const token = (socket.handshake.auth as { token?: unknown } | null)?.token;
    if (typeof token === "string" && token) headers.set("authorization", `Bearer ${token}`);
    try {
      const principal = await authenticateRequest(services, headers);
      socket.data = { user: principal.user };
      next();
    } catch (err) {
      const message = err instanceof DomainError ? err.message : "internal error";
      next(Object.assign(new Error(message), { data: { code: "unauthorized", message } }));
    }
  });

  const sweeper = setInterval(() => {
    hub.sweep().catch((err: unknown) => logger.error({ err }, "presence sweep failed"));
  }, options.presenceSweepIntervalMs);
  const stop = hub.stop;
  hub.stop = () => {
    clearInterval(sweeper);
    stop();
  };

  return hub;
}
