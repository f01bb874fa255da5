import {
  type LedgerChanges,
  leakCounts,
  loadDesiredState,
  markOperationsSent,
  recordBuildProblems,
  type ServiceContext,
  sweepOfflineHosts,
} from "@switchyard/control";
import {
  type DesiredState,
  type HostSummary,
  PING_PROTOCOL_MINOR,
  type ProbeAck,
  pingResultSchema,
  probeAckSchema,
  REPAIR_PROTOCOL_MINOR,
  repairAckSchema,
  ServerToAgentEvents,
  UiEvents,
} from "@switchyard/protocol";
import type { Server } from "socket.io";
import type { z } from "zod";
import {
  type AgentConnectionOptions,
  type AgentNamespace,
  authenticateAgentSocket,
  handleAgentConnection,
  hostRoom,
} from "./agent-socket";
import type { SitePolicy } from "./api/same-site";
import type { HubPort } from "./broadcast";
import type { Logger } from "./logger";
import { authenticateUiSocket, credentialRoom, recheckUiSocket, type UiNamespace } from "./ui-socket";

type AgentBroadcast = ReturnType<ReturnType<AgentNamespace["to"]>["timeout"]>;

export interface HubOptions extends AgentConnectionOptions {
  offlineAfterMs: number;
  presenceSweepIntervalMs: number;
  /** Which hosts a browser socket's Origin may name (ALLOWED_HOSTS, PUBLIC_URL, TRUST_PROXY). */
  site: SitePolicy;
  /** How often a browser socket's session or token is checked again (ended, revoked, user gone). */
  uiRecheckMs: number;
}

export interface Hub extends HubPort {
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

/**
 * The socket.io side of the control plane: `/agent` for host agents (credential handshake, welcome,
 * inventory, heartbeats, presence) and `/ui` for signed-in browsers (host and inventory changes).
 */
export function createHub(io: Server, services: ServiceContext, options: HubOptions, logger: Logger): Hub {
  const agents: AgentNamespace = io.of("/agent");

  /**
   * Asks one of the host's agent sockets that speaks `minMinor` or later, on whichever replica it is
   * connected (fetchSockets asks every replica), and parses its reply. The socket's own room (its id)
   * answers an array of one reply everywhere; a local socket's own ack would not be an array. An agent too
   * old for the event is refused at once, naming both versions.
   */
  async function askOneAgent<T>(
    hostId: string,
    ask: {
      what: string;
      minMinor: number;
      timeoutMs: number;
      send: (to: AgentBroadcast) => Promise<unknown[]>;
      schema: z.ZodType<T>;
    },
  ): Promise<T> {
    const sockets = await agents.in(hostRoom(hostId)).fetchSockets();
    if (sockets.length === 0) throw new Error("the host's agent is not connected");
    const socket = sockets.find((s) => s.data.protocolMinor >= ask.minMinor);
    if (!socket) {
      const minor = Math.max(...sockets.map((s) => s.data.protocolMinor));
      throw new Error(
        `the host's agent speaks protocol minor ${minor}, without ${ask.what} (minor ${ask.minMinor}): upgrade the agent`,
      );
    }
    const replies = await ask.send(agents.to(socket.id).timeout(ask.timeoutMs));
    const parsed = ask.schema.safeParse(replies[0]);
    if (!parsed.success) throw new Error(`the agent gave no valid ${ask.what} answer`);
    return parsed.data;
  }
  const ui: UiNamespace = io.of("/ui");
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
    disconnectCredential(credentialId) {
      ui.in(credentialRoom(credentialId)).disconnectSockets(true);
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
    reconcileEvents(payload) {
      ui.emit(UiEvents.reconcileEvents, payload);
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
    async pingFrom(hostId, request) {
      const seconds = Math.ceil(request.timeoutMs / 1000);
      return askOneAgent(hostId, {
        what: "ping",
        minMinor: PING_PROTOCOL_MINOR,
        timeoutMs: (request.count + seconds + 8) * 1000,
        send: (to) => to.emitWithAck(ServerToAgentEvents.ping, request),
        schema: pingResultSchema,
      });
    },
    async pushDesiredState(hostId) {
      // fetchSockets asks every replica (through the adapter): is the agent connected anywhere?
      const sockets = await agents.in(hostRoom(hostId)).fetchSockets();
      if (sockets.length === 0) return null;
      return sendDesiredState(hostId, (state) =>
        agents.to(hostRoom(hostId)).emit(ServerToAgentEvents.desiredState, state),
      );
    },
    async repairHost(hostId) {
      return askOneAgent(hostId, {
        what: "repair",
        minMinor: REPAIR_PROTOCOL_MINOR,
        timeoutMs: 10_000,
        send: (to) => to.emitWithAck(ServerToAgentEvents.repair, {}),
        schema: repairAckSchema,
      });
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
  agents.use(authenticateAgentSocket(services, logger));
  agents.on("connection", (socket) =>
    handleAgentConnection(socket, {
      services,
      hub,
      options,
      logger,
      timers,
      isStopped: () => stopped,
      sendDesiredState,
      agentsOfHost: async (hostId) => (await agents.in(hostRoom(hostId)).fetchSockets()).length,
    }),
  );
  ui.use(authenticateUiSocket(services, options.site));
  ui.on("connection", (socket) => recheckUiSocket(socket, services, options.uiRecheckMs, logger));

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
