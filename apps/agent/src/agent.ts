import { join } from "node:path";
import { DockerContainerCache, FileEndpointStore, InventoryCollector, Reconciler } from "@switchyard/netops";
import { agentHandshakeSchema, type Inventory, PROTOCOL_MINOR } from "@switchyard/protocol";
import { type Applier, createApplier, type StateReconciler } from "./apply";
import { createCniBackend } from "./cni/backend";
import { handleCniFrame } from "./cni/handle";
import { type CniServer, startCniServer } from "./cni/server";
import { EndpointWaiters } from "./cni/waiters";
import type { AgentConfig } from "./config";
import {
  type AgentChannel,
  type Connection,
  type ConnectionInput,
  connectToControlPlane,
} from "./connection";
import { startDockerWatch } from "./docker-watch";
import { type AgentIdentity, type FetchFn, obtainCredential } from "./enroll";
import { ExitCode, FatalError } from "./exit-codes";
import { startLinkMonitor } from "./link-monitor";
import type { Logger } from "./logger";
import { assertNetnsExists, hostAccess } from "./netns";
import { runPing } from "./ping";
import { runProbe } from "./probe";
import { startReporter } from "./reporter";

/** Host events about a network's links trigger a full verification at most this often. */
const FULL_VERIFY_MIN_GAP_MS = 5_000;

export interface RunAgentInput {
  config: AgentConfig;
  identity: AgentIdentity;
  logger: Logger;
  /** Aborting it (SIGTERM/SIGINT) disconnects and makes runAgent resolve 0. */
  signal: AbortSignal;
  fetch?: FetchFn;
  connect?: ConnectionInput["connect"];
  /** Replaces the real inventory reader (tests). */
  collect?: () => Promise<Inventory>;
  /** Replaces the netops Reconciler (tests). */
  reconciler?: StateReconciler;
  /** Called once the applier exists (tests). */
  onApplier?: (applier: Applier) => void;
  /** Called once the connection exists (tests). */
  onConnection?: (connection: Connection) => void;
}

/** The agent's whole life: credential (stored or enrolled), connection, report loop. Resolves the exit code. */
export async function runAgent(input: RunAgentInput): Promise<number> {
  const { config, logger, identity } = input;
  try {
    // --netns NAME: the host is that namespace; every command runs through `ip netns exec NAME`.
    if (config.netns) {
      await assertNetnsExists(config.netns).catch((error: Error) => {
        throw new FatalError(ExitCode.usage, `--netns: ${error.message}`);
      });
    }
    const host = hostAccess(config.netns);
    const stored = await obtainCredential({
      server: config.server,
      token: config.token,
      credentialFile: config.credentialFile,
      hostname: config.hostname,
      identity,
      logger,
      fetch: input.fetch,
      signal: input.signal,
    });
    if (!stored || input.signal.aborted) return ExitCode.ok;

    // One reconciler per host: one reconcile at a time, newest serial wins; applied endpoints are
    // remembered in a file so a restarted agent removes what it made even after a crash.
    // Pushes apply only what changed; the full verification runs on the interval and after host events
    // that concern our endpoints. Gratuitous ARPs go out once the result is on its way.
    // Containers are resolved from memory kept by Docker's event stream (no inspect per endpoint).
    const dockerCache = input.reconciler ? null : new DockerContainerCache(config.dockerSocket);
    void dockerCache?.start();
    const engine = input.reconciler
      ? null
      : new Reconciler({
          store: new FileEndpointStore(join(config.stateDir, "endpoints.json")),
          docker: dockerCache ?? undefined,
          exec: host.exec,
          deferGarp: true,
          options: {
            datapathType: config.datapathType,
            garpCount: config.garpCount,
            ovsDb: config.ovsDb,
          },
        });
    const reconciler: StateReconciler = input.reconciler ?? (engine as Reconciler);

    // The inventory kept from events (OVSDB monitor, the Docker cache, the link monitor below), read
    // whole every --inventory-resync; a container namespace is read when it appears or changes.
    const collector = input.collect
      ? null
      : new InventoryCollector({
          hostname: config.hostname,
          ovsDb: config.ovsDb,
          dockerSocket: config.dockerSocket,
          docker: dockerCache ?? undefined,
          netnsPrefix: config.netnsPrefix,
          exec: host.exec,
          hostNetnsPath: host.hostNetnsPath,
          hostEvents: true,
          resyncIntervalMs: config.inventoryResyncMs,
          onChange: () => hintReporter?.(),
          onWarning: (message, fields) => logger.warn(message, fields),
        });
    void collector?.start();
    const collect = input.collect ?? (() => (collector as InventoryCollector).collect());
    const waiters = new EndpointWaiters();
    const applier = createApplier({
      reconciler,
      logger: logger.child({ component: "apply" }),
      reconcileIntervalMs: config.reconcileIntervalMs,
      driftRepair: config.driftRepair,
      onAcknowledged: (result) => waiters.observe(result),
      onContainersChanged: (refs) => collector?.containersChanged(refs),
    });
    input.onApplier?.(applier);

    // Link, address and Docker container events make the current connection's reporter look again at
    // once, and the engine verify what they concern (a link of ours, a container we attached).
    let hintReporter: (() => void) | null = null;
    let lastFullHint = 0;
    const verifyLinks = (names: string[]) => {
      if (!engine) return;
      const affected = engine.affectedByLinks(names);
      if (affected === "all") {
        // A bridge or uplink changed: the whole host, at most every few seconds (bursts of events).
        if (Date.now() - lastFullHint < FULL_VERIFY_MIN_GAP_MS) return;
        lastFullHint = Date.now();
        applier.hint();
      } else if (affected.size > 0) applier.hint(affected);
    };
    // A container that changed (started, stopped, restarted: a new namespace): verify its endpoints.
    const unsubscribe = dockerCache?.subscribe((ids) => {
      if (!engine) return;
      const changed = new Set(ids);
      const refs = dockerCache
        .cached()
        .filter((c) => changed.has(c.id))
        .flatMap((c) => [c.name, c.name.replace(/^\//, "")]);
      const affected = engine.endpointsIn("docker", [...ids, ...refs, ...ids.map((id) => id.slice(0, 12))]);
      if (affected.size > 0) applier.hint(affected);
    });
    const watchers = input.collect
      ? []
      : [
          startLinkMonitor({
            netns: config.netns,
            onChange: (names) => {
              collector?.hostChanged();
              hintReporter?.();
              verifyLinks(names);
            },
            logger,
          }),
          startDockerWatch({
            socketPath: config.dockerSocket,
            onChange: () => hintReporter?.(),
            logger,
          }),
        ];

    // The CNI plugin's socket (after every `let` the host events' callbacks read: this awaits): an ADD becomes an attachment through the control plane (the current
    // connection), answered once this agent's engine applied it.
    let link: { channel: AgentChannel; serverMinor: number } | null = null;
    const cniBackend = createCniBackend({
      link: () => link,
      waiters,
      desiredEndpoints: () => engine?.desiredEndpoints() ?? [],
    });
    const cniServer: CniServer | null = config.cniSocket
      ? await startCniServer({
          path: config.cniSocket,
          handle: (frame) => handleCniFrame(frame, cniBackend),
          logger: logger.child({ component: "cni" }),
        }).catch((error: Error) => {
          throw new FatalError(ExitCode.usage, `--cni-socket: ${error.message}`);
        })
      : null;

    const connection = connectToControlPlane({
      server: config.server,
      handshake: agentHandshakeSchema.parse({
        credential: stored.credential,
        protocolVersion: identity.protocolVersion,
        protocolMinor: PROTOCOL_MINOR,
        agentVersion: identity.agentVersion,
      }),
      logger,
      connect: input.connect,
      onWelcome: (welcome, session) => {
        const reporter = startReporter({
          collect,
          sendInventory: session.sendInventory,
          sendHeartbeat: session.sendHeartbeat,
          pollIntervalMs: config.pollIntervalMs,
          heartbeatIntervalMs: welcome.heartbeatIntervalMs,
          appliedSerial: () => applier.appliedSerial(),
          logger,
          // A look after a host event waits (a few seconds at most) for the apply that caused it.
          settled: () =>
            Promise.race([applier.settled(), new Promise<void>((resolve) => setTimeout(resolve, 3_000))]),
        });
        hintReporter = () => reporter.hint();
        applier.setSink(session.sendDesiredStateResult);
        link = { channel: session, serverMinor: welcome.protocolMinor };
        return () => {
          link = null;
          hintReporter = null;
          applier.setSink(null);
          reporter.stop();
        };
      },
      onProbe: (payload) => runProbe(payload, host.exec, { ovsDb: config.ovsDb }),
      onPing: (payload) => runPing(payload, host.exec, dockerCache ? { docker: dockerCache } : {}),
      onDesiredState: (payload, channel) => {
        void applier.receive(payload, channel.sendDesiredStateResult);
      },
      onRepair: () => ({ mode: config.driftRepair, started: applier.repairNow() }),
    });
    input.onConnection?.(connection);
    const onAbort = () => connection.stop();
    input.signal.addEventListener("abort", onAbort, { once: true });
    if (input.signal.aborted) connection.stop();
    const code = await connection.done;
    input.signal.removeEventListener("abort", onAbort);
    for (const watcher of watchers) watcher.stop();
    unsubscribe?.();
    collector?.stop();
    dockerCache?.stop();
    applier.stop();
    await cniServer?.close();
    return code;
  } catch (error) {
    if (error instanceof FatalError) {
      logger.error(error.message, { exitCode: error.exitCode });
      return error.exitCode;
    }
    logger.error("agent failed", { error });
    return ExitCode.failure;
  }
}
