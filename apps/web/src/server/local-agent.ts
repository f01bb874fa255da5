import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { hostname } from "node:os";
import path from "node:path";
import {
  createHost,
  DomainError,
  issueEnrollmentToken,
  type ServiceContext,
  systemActor,
} from "@switchyard/control";
import { resourceNameSchema } from "@switchyard/protocol";
import type { Logger } from "./logger";

export interface LocalAgentOptions {
  /** URL the agent reaches this control plane at (loopback). */
  serverUrl: string;
  dataDir: string;
  enrollmentTtlMs: number;
  /** Directory of apps/web; the agent is its sibling apps/agent. */
  webDir: string;
}

export interface LocalAgent {
  stop(): Promise<void>;
}

/** A host name for this machine that passes the protocol's name rules. */
export function localHostName(raw = hostname()): string {
  const cleaned = raw
    .split(".")[0]
    ?.replace(/[^a-zA-Z0-9._-]/g, "-")
    .replace(/^[^a-zA-Z0-9]+|[^a-zA-Z0-9]+$/g, "")
    .slice(0, 63);
  return cleaned && resourceNameSchema.safeParse(cleaned).success ? cleaned : "local";
}

/** The agent gets no database URL or admin password, and only the flags above as its settings. */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const key of [
    "DATABASE_URL",
    "SWITCHYARD_ADMIN_PASSWORD",
    "SWITCHYARD_TOKEN",
    "SWITCHYARD_SERVER",
    "SWITCHYARD_CREDENTIAL_FILE",
  ]) {
    delete env[key];
  }
  return env;
}

/** Whether this process may run the local agent: root on Linux. */
export function canRunLocalAgent(): boolean {
  return process.platform === "linux" && process.getuid?.() === 0;
}

/**
 * Enrolls this machine as a host (first time: creates it and a token) and runs the agent as a child
 * process, so `npm start` shows the local host at once. The credential lives in DATA_DIR/local-agent.
 */
export async function startLocalAgent(
  services: ServiceContext,
  options: LocalAgentOptions,
  logger: Logger,
): Promise<LocalAgent | null> {
  const dir = path.join(options.dataDir, "local-agent");
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const credentialFile = path.join(dir, "credential.json");
  const args = ["--server", options.serverUrl, "--credential-file", credentialFile];
  const name = localHostName();
  // The one-time token goes through the environment, not argv, so `ps` never shows it.
  let token: string | null = null;

  if (!existsSync(credentialFile)) {
    try {
      const existing = await services.prisma.host.findUnique({ where: { name } });
      const created = existing
        ? await issueEnrollmentToken(services, systemActor, existing.id, {
            enrollmentTtlMs: options.enrollmentTtlMs,
          })
        : await createHost(
            services,
            systemActor,
            { name, description: "this machine (local agent started by the control plane)" },
            { enrollmentTtlMs: options.enrollmentTtlMs },
          );
      token = created.enrollment.token;
      logger.info({ host: name }, "enrolling the local agent");
    } catch (err) {
      if (err instanceof DomainError) {
        logger.warn({ host: name, reason: err.message }, "local agent not started");
        return null;
      }
      throw err;
    }
  }

  const launcher = path.resolve(options.webDir, "../agent/bin/switchyard-agent.mjs");
  if (!existsSync(launcher)) {
    logger.warn({ launcher }, "local agent not started: agent launcher not found");
    return null;
  }
  const child: ChildProcess = spawn(process.execPath, [launcher, ...args], {
    stdio: ["ignore", "inherit", "inherit"],
    env: token ? { ...childEnv(), SWITCHYARD_TOKEN: token } : childEnv(),
  });
  logger.info({ pid: child.pid, host: name }, "local agent started");
  const exited = new Promise<void>((resolve) => {
    child.once("exit", (code, signal) => {
      logger.info({ pid: child.pid, code, signal }, "local agent exited");
      resolve();
    });
  });

  return {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 5000).unref());
      await Promise.race([exited, timeout]);
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    },
  };
}
