import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Duplex } from "node:stream";
import {
  type BootstrapAdminResult,
  bootstrapAdmin,
  checkPoolExhaustion,
  getFleetSummary,
  purgeExpiredSessions,
  returnEmptyBlocks,
  type ServiceContext,
  systemClock,
} from "@switchyard/control";
import {
  createPrisma,
  type EmbeddedDatabase,
  migrate,
  type PrismaClient,
  startEmbeddedPostgres,
} from "@switchyard/db";
import { SWITCHYARD_VERSION } from "@switchyard/protocol";
import type pg from "pg";
import { Server as SocketServer } from "socket.io";
import { createApiHandler } from "./api/handler";
import type { Config } from "./config";
import { createHub, type Hub } from "./hub";
import { type LeakJobs, startLeakJobs } from "./jobs/leaks";
import { runPeriodically } from "./jobs/periodic";
import { createLogger, type Logger } from "./logger";
import { trackAgentSockets } from "./metrics/runtime";
import { BodyTooLargeError, sendWebResponse, toWebRequest } from "./node-bridge";
import { attachPostgresAdapter } from "./socket-adapter";

const SESSION_PURGE_INTERVAL_MS = 3_600_000;

export interface ControlPlane {
  /** http://host:port the server listens on (PUBLIC_URL when configured). */
  url: string;
  port: number;
  prisma: PrismaClient;
  hub: Hub;
  /** The periodic leak check and webhook outbox (tests call checkNow / deliverNow). */
  leakJobs: LeakJobs;
  io: SocketServer;
  logger: Logger;
  /** What the first-start admin bootstrap did (a generated password is only here: print it). */
  admin: BootstrapAdminResult;
  /** Stops everything this call started, in order. Idempotent. */
  close(): Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Clock for services (tests). */
  now?: () => Date;
}

/** Starts the whole control plane in this process: database, migrations, HTTP API, socket.io hub, UI. */
export async function startControlPlane(config: Config, options: StartOptions = {}): Promise<ControlPlane> {
  const logger = options.logger ?? createLogger(config);
  const now = options.now ?? systemClock;
  const cleanups: Array<() => Promise<void> | void> = [];
  const runCleanups = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        logger.error({ err }, "shutdown step failed");
      }
    }
  };

  try {
    // ---------------------------------------------------------------- database
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const dataDir = path.join(config.dataDir, "postgres");
      logger.info({ dataDir, port: config.embeddedPgPort }, "starting embedded PostgreSQL");
      const embedded: EmbeddedDatabase = await startEmbeddedPostgres({
        dataDir,
        port: config.embeddedPgPort,
        onLog: (line) => logger.debug({ component: "postgres" }, line),
      });
      cleanups.push(() => embedded.stop());
      databaseUrl = embedded.url;
    }
    const migration = await migrate(databaseUrl);
    logger.info({ applied: migration.applied }, "database migrated");
    const prisma = createPrisma(databaseUrl);
    cleanups.push(() => prisma.$disconnect());
    const services: ServiceContext = { prisma, now };

    // ---------------------------------------------------------------- http + sockets
    // Registered before socket.io attaches: engine.io then answers its own /socket.io/ requests and
    // hands every other request to this listener (a listener added later would see them all).
    const onRequest = (req: IncomingMessage, res: ServerResponse) => {
      const pathname = (req.url ?? "/").split("?")[0] ?? "/";
      // Prometheus looks for /metrics by default; it is the API's metrics route (same token auth).
      if (pathname === "/metrics") req.url = `/api/v1${req.url}`;
      if (
        pathname === "/metrics" ||
        pathname === "/api/v1" ||
        pathname.startsWith("/api/v1/") ||
        !nextHandler
      ) {
        void handleApi(req, res);
        return;
      }
      nextHandler(req, res).catch((err: unknown) => {
        logger.error({ err, path: pathname }, "Next.js request failed");
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("internal server error");
      });
    };
    const httpServer = createServer(onRequest);
    const io = new SocketServer(httpServer, {
      serveClient: false,
      // Leave other upgrade requests (Next's dev HMR) alone.
      destroyUpgrade: false,
    });
    if (config.socketAdapter === "postgres") {
      const pool: pg.Pool = await attachPostgresAdapter(io, databaseUrl, logger);
      cleanups.push(() => pool.end());
    }
    cleanups.push(async () => {
      const closing = io.close();
      httpServer.closeAllConnections();
      await closing;
    });
    const hub = createHub(
      io,
      services,
      {
        heartbeatIntervalMs: config.heartbeatIntervalMs,
        offlineAfterMs: config.offlineAfterMs,
        presenceSweepIntervalMs: config.presenceSweepIntervalMs,
        agentDisconnectGraceMs: config.agentDisconnectGraceMs,
        site: config.site,
        uiRecheckMs: config.uiRecheckIntervalMs,
      },
      logger,
    );
    cleanups.push(() => hub.stop());
    cleanups.push(trackAgentSockets(io.of("/agent")));
    cleanups.push(
      runPeriodically(
        "session purge",
        SESSION_PURGE_INTERVAL_MS,
        () => purgeExpiredSessions(services),
        logger,
      ),
      // Each block is re-checked under its owner's lock, so every replica may sweep.
      runPeriodically(
        "IPAM block sweep",
        config.ipamBlockSweepIntervalMs,
        () => returnEmptyBlocks(services),
        logger,
      ),
    );

    const leakSettings = {
      graceMs: config.leakGraceMs,
      hostOfflineGraceMs: config.hostOfflineGraceMs,
      webhookUrl: config.leakWebhookUrl,
    };
    const leakJobs = startLeakJobs({
      services,
      settings: leakSettings,
      intervalMs: config.leakCheckIntervalMs,
      leaksChanged: (ids) => hub.leaksChanged(ids),
      logger,
    });
    cleanups.push(() => leakJobs.stop());
    // With the leak check's interval, and its webhook outbox (same URL).
    cleanups.push(
      runPeriodically(
        "pool exhaustion check",
        config.leakCheckIntervalMs,
        async () => {
          const out = await checkPoolExhaustion(services, {
            horizonMs: config.poolExhaustionHorizonMs,
            webhookUrl: config.leakWebhookUrl,
          });
          if (out.raised.length > 0) {
            logger.warn({ pools: out.raised }, "pools forecast to run out within POOL_EXHAUSTION_HORIZON");
            void leakJobs.deliverNow();
          }
        },
        logger,
      ),
    );

    const api = createApiHandler({
      prisma,
      now,
      logger,
      hub,
      version: SWITCHYARD_VERSION,
      config: {
        sessionTtlMs: config.sessionTtlMs,
        enrollmentTtlMs: config.enrollmentTtlMs,
        inviteTtlMs: config.inviteTtlMs,
        cookieSecure: config.cookieSecure,
        publicUrl: config.publicUrl,
        site: config.site,
        leaks: leakSettings,
        poolExhaustionHorizonMs: config.poolExhaustionHorizonMs,
        validateResponses: config.validateResponses,
      },
    });

    let nextHandler: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null = null;
    let nextUpgrade: ((req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>) | null = null;
    if (config.serveUi) {
      const mod = await import("next");
      const createNext = (mod.default ?? mod) as unknown as typeof mod.default;
      const app = createNext({
        dev: config.nextDev,
        dir: config.webDir,
        hostname: config.host,
        port: config.port,
      });
      await app.prepare();
      nextHandler = app.getRequestHandler();
      nextUpgrade = app.getUpgradeHandler();
      cleanups.push(() => app.close());
      logger.info({ dev: config.nextDev, dir: config.webDir }, "Next.js ready");
    }

    if (nextUpgrade) {
      const upgrade = nextUpgrade;
      httpServer.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        if ((req.url ?? "").startsWith("/socket.io/")) return; // socket.io's own listener handles it
        upgrade(req, socket, head).catch(() => socket.destroy());
      });
    }

    async function handleApi(req: IncomingMessage, res: ServerResponse): Promise<void> {
      try {
        const request = await toWebRequest(req, "http://localhost");
        const response = await api(request, req.socket.remoteAddress ?? null);
        await sendWebResponse(res, response, req.headers["accept-encoding"]);
      } catch (err) {
        if (err instanceof BodyTooLargeError && !res.headersSent) {
          // The unread rest of the body would be parsed as the next request: end the connection.
          res.writeHead(413, { "content-type": "application/json; charset=utf-8", connection: "close" });
          res.end(JSON.stringify({ error: { code: "bad_request", message: err.message } }));
          return;
        }
        logger.warn({ err }, "could not handle API request");
        if (!res.headersSent) {
          res.writeHead(400, { "content-type": "application/json; charset=utf-8" });
          res.end(JSON.stringify({ error: { code: "bad_request", message: "could not read the request" } }));
        } else {
          res.end();
        }
      }
    }

    await new Promise<void>((resolve, reject) => {
      httpServer.once("error", reject);
      httpServer.listen(config.port, config.host, () => {
        httpServer.off("error", reject);
        resolve();
      });
    });
    const port = (httpServer.address() as AddressInfo).port;
    const listenHost = config.host === "0.0.0.0" || config.host === "::" ? "localhost" : config.host;
    const url = config.publicUrl ?? `http://${listenHost}:${port}`;
    logger.info({ url, port, ui: config.serveUi }, "control plane listening");

    // Last, so a start that fails earlier never creates an admin whose one-time password nobody saw.
    const admin = await bootstrapAdmin(services, {
      email: config.adminEmail,
      password: config.adminPassword,
    });
    if (admin.created)
      logger.info({ email: admin.email, generated: admin.oneTimePassword !== null }, "admin created");
    // The map's first request after a start would derive every host's facts from its stored snapshot
    // (0.9 s at 1,000 hosts) while an engineer waits: derive them now instead.
    getFleetSummary(services).catch((error: unknown) =>
      logger.warn({ err: error }, "warming the fleet summary failed"),
    );

    let closed: Promise<void> | null = null;
    return {
      url,
      port,
      prisma,
      hub,
      leakJobs,
      io,
      logger,
      admin,
      close: () => {
        closed ??= (async () => {
          logger.info("control plane shutting down");
          await runCleanups();
        })();
        return closed;
      },
    };
  } catch (err) {
    await runCleanups();
    throw err;
  }
}
