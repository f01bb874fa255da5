import {
  type AgentAckError,
  AgentEvents,
  type AgentHandshake,
  type AgentRefusal,
  agentAckSchema,
  agentRefusalSchema,
  type DesiredStateResult,
  type Heartbeat,
  type Inventory,
  type ListenMap,
  type PingResult,
  type ProbeAck,
  type RepairAck,
  type ServerToAgentEventCatalog,
  ServerToAgentEvents,
  serverToAgentEvents,
  type Welcome,
} from "@switchyard/protocol";
import { io, type ManagerOptions, type Socket, type SocketOptions } from "socket.io-client";
import { backoffDelay, DEFAULT_BACKOFF } from "./backoff";
import { ExitCode } from "./exit-codes";
import type { Logger } from "./logger";
import { runPing } from "./ping";
import { runProbe } from "./probe";

/** The /agent socket: what the server sends (protocol serverToAgentEvents) arrives unparsed until parsed here. */
// Sends stay untyped here: the server parses every agent event with its catalog schema.
type AgentClientSocket = Socket<
  ListenMap<ServerToAgentEventCatalog>,
  Record<string, (payload: unknown, ack: (answer: unknown) => void) => void>
>;

/** What a connected session may send. */
export interface AgentChannel {
  /** true when accepted; the server's error when it refused this inventory (logged by the reporter). */
  sendInventory(inventory: Inventory): Promise<boolean | AgentAckError>;
  sendHeartbeat(heartbeat: Heartbeat): Promise<boolean>;
  sendDesiredStateResult(result: DesiredStateResult): Promise<boolean>;
  /** Sends an event and resolves the server's ack unparsed (the caller parses it with its schema). */
  ask(event: string, payload: unknown, timeoutMs?: number): Promise<unknown>;
}

export interface ConnectionInput {
  server: string;
  handshake: AgentHandshake;
  logger: Logger;
  /** Called on every `server:welcome` (each (re)connection); returns the function that ends that session. */
  onWelcome: (welcome: Welcome, channel: AgentChannel) => () => void;
  /** A `server:desired-state` arrived (payload not yet validated). */
  onDesiredState?: (payload: unknown, channel: AgentChannel) => void;
  /** A `server:repair` arrived ("Repair now"): start a full verification; answers the ack. */
  onRepair?: () => RepairAck;
  /** A `server:probe` arrived (leak evidence: arping -D); resolves the ack. Default: probe in this namespace. */
  onProbe?: (payload: unknown) => Promise<unknown>;
  /** A `server:ping` arrived (the map's trace test); resolves the ack. Default: ping from this namespace. */
  onPing?: (payload: unknown) => Promise<PingResult>;
  ackTimeoutMs?: number;
  /** socket.io-client's `io` (tests may wrap it). */
  connect?: (url: string, options: Partial<ManagerOptions & SocketOptions>) => Socket;
  random?: () => number;
}

export interface Connection {
  /** Resolves with the exit code: 0 after stop(), 3 or 4 when the server refuses this agent for good. */
  readonly done: Promise<number>;
  stop(): void;
}

/** Maps the server's refusal of a handshake to an exit code and an operator-facing message; null = retry. */
function fatalRefusal(
  refusal: AgentRefusal,
  agentProtocolVersion: number,
): { exitCode: number; message: string } | null {
  switch (refusal.code) {
    case "protocol_mismatch":
      return {
        exitCode: ExitCode.protocolMismatch,
        message:
          `protocol version mismatch: this agent speaks protocol ${agentProtocolVersion}, the control plane speaks ` +
          `${refusal.serverProtocolVersion ?? "another version"}; install matching releases (${refusal.message})`,
      };
    case "revoked":
      return {
        exitCode: ExitCode.refused,
        message: `the control plane revoked this host: ${refusal.message}; enroll again with a new token after removing the credential file`,
      };
    case "unauthorized":
      return {
        exitCode: ExitCode.refused,
        message: `the control plane does not accept this host credential: ${refusal.message}; remove the credential file and enroll again with a new token`,
      };
    case "bad_request":
      return {
        exitCode: ExitCode.failure,
        message: `the control plane rejected the handshake: ${refusal.message}`,
      };
  }
}

/**
 * Thin socket.io glue: connects to `${server}/agent` with the handshake, reconnects forever with backoff
 * and jitter, ends for good on a refusal that retrying cannot fix.
 */
export function connectToControlPlane(input: ConnectionInput): Connection {
  const { logger } = input;
  const ackTimeoutMs = input.ackTimeoutMs ?? 15_000;
  const connect = input.connect ?? io;
  const socket: AgentClientSocket = connect(`${input.server}/agent`, {
    auth: input.handshake,
    transports: ["websocket"],
    reconnection: true,
    reconnectionAttempts: Number.POSITIVE_INFINITY,
    reconnectionDelay: DEFAULT_BACKOFF.baseMs,
    reconnectionDelayMax: DEFAULT_BACKOFF.maxMs,
    randomizationFactor: DEFAULT_BACKOFF.jitter,
    timeout: 20_000,
  });

  let finished = false;
  let resolveDone: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    resolveDone = resolve;
  });
  let endSession: (() => void) | null = null;
  let manualTimer: ReturnType<typeof setTimeout> | undefined;
  let manualAttempts = 0;

  const finish = (code: number, message?: string) => {
    if (finished) return;
    finished = true;
    if (message) logger.error(message, { exitCode: code });
    endSession?.();
    endSession = null;
    if (manualTimer) clearTimeout(manualTimer);
    socket.disconnect();
    resolveDone(code);
  };

  /** socket.io-client does not reconnect by itself after a server-side refusal or server disconnect. */
  const reconnectLater = () => {
    if (finished || manualTimer) return;
    const delayMs = backoffDelay(manualAttempts++, DEFAULT_BACKOFF, input.random);
    logger.info("reconnecting later", { delayMs });
    manualTimer = setTimeout(() => {
      manualTimer = undefined;
      if (!finished && !socket.connected) socket.connect();
    }, delayMs);
  };

  /** true: accepted; the server's error when it refused the event; false: not sent or no readable ack. */
  const deliver = async (event: string, payload: unknown): Promise<boolean | AgentAckError> => {
    if (!socket.connected) return false;
    const ack: unknown = await socket.timeout(ackTimeoutMs).emitWithAck(event, payload);
    const parsed = agentAckSchema.safeParse(ack);
    if (parsed.success && parsed.data.ok) return true;
    logger.warn("server did not accept an event", { event, ack });
    return parsed.success && !parsed.data.ok ? parsed.data.error : false;
  };
  const send = async (event: string, payload: unknown): Promise<boolean> =>
    (await deliver(event, payload)) === true;
  const channel: AgentChannel = {
    sendInventory: (inventory) => deliver(AgentEvents.inventory, { inventory }),
    sendHeartbeat: (heartbeat) => send(AgentEvents.heartbeat, heartbeat),
    sendDesiredStateResult: (result) => send(AgentEvents.desiredStateResult, result),
    ask: async (event, payload, timeoutMs = ackTimeoutMs) => {
      if (!socket.connected) throw new Error("not connected to the control plane");
      return socket.timeout(timeoutMs).emitWithAck(event, payload);
    },
  };

  socket.on("connect", () => {
    manualAttempts = 0;
    logger.info("connected to the control plane", { server: input.server });
  });

  socket.on(ServerToAgentEvents.welcome, (payload: unknown) => {
    const welcome = serverToAgentEvents[ServerToAgentEvents.welcome].message.safeParse(payload);
    if (!welcome.success) {
      logger.error("invalid server:welcome, ignoring it", { issue: welcome.error.issues[0]?.message });
      return;
    }
    logger.info("welcomed", { hostId: welcome.data.hostId, host: welcome.data.hostName });
    endSession?.();
    endSession = input.onWelcome(welcome.data, channel);
  });

  socket.on(ServerToAgentEvents.desiredState, (payload: unknown) => {
    input.onDesiredState?.(payload, channel);
  });

  socket.on(ServerToAgentEvents.repair, (_payload, ack) => {
    const answer: RepairAck = input.onRepair?.() ?? { mode: "auto", started: false };
    if (typeof ack === "function") ack(answer);
  });

  socket.on(ServerToAgentEvents.probe, (payload, ack) => {
    const probe = input.onProbe ?? ((p: unknown) => runProbe(p));
    probe(payload)
      .catch((error: unknown) => ({
        ok: false,
        error: error instanceof Error ? error.message : String(error),
      }))
      .then((result) => {
        // runProbe answers in ProbeAck's shape (the server parses it with the catalog's ack schema).
        if (typeof ack === "function") ack(result as ProbeAck);
      });
  });

  socket.on(ServerToAgentEvents.ping, (payload, ack) => {
    const ping = input.onPing ?? ((p: unknown) => runPing(p));
    ping(payload)
      .catch(
        (error: unknown): PingResult => ({
          sent: 0,
          received: 0,
          rttMs: null,
          error: error instanceof Error ? error.message : String(error),
          output: "",
        }),
      )
      .then((result) => {
        if (typeof ack === "function") ack(result);
      });
  });

  socket.on("disconnect", (reason) => {
    endSession?.();
    endSession = null;
    if (finished) return;
    logger.warn("disconnected from the control plane", { reason });
    if (reason === "io server disconnect") reconnectLater();
  });

  socket.on("connect_error", (error: Error & { data?: unknown }) => {
    if (finished) return;
    const refusal = agentRefusalSchema.safeParse(error.data);
    if (refusal.success) {
      const fatal = fatalRefusal(refusal.data, input.handshake.protocolVersion);
      if (fatal) return finish(fatal.exitCode, fatal.message);
    }
    logger.warn("cannot connect to the control plane", { server: input.server, error: error.message });
    if (!socket.active) reconnectLater();
  });

  return { done, stop: () => finish(ExitCode.ok) };
}
