/**
 * The control plane's one process: `node_modules/.bin/tsx server.ts [--no-local-agent]` (from apps/web).
 * UI (Next.js), REST API (/api/v1) and socket.io (/agent, /ui) on one HTTP server; as root on Linux
 * also this machine's agent.
 */
import { realpathSync } from "node:fs";
import { type Config, ConfigError, loadConfig } from "./src/server/config";
import { startControlPlane } from "./src/server/control-plane";
import { canRunLocalAgent, type LocalAgent, startLocalAgent } from "./src/server/local-agent";

export { startControlPlane } from "./src/server/control-plane";

const USAGE = `Usage: server.ts [--no-local-agent]
Configuration comes from environment variables (see README, "Configuration").`;

function parseArgs(argv: string[]): { localAgent: boolean } {
  let localAgent = true;
  for (const arg of argv) {
    if (arg === "--no-local-agent") localAgent = false;
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${USAGE}\n`);
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument ${arg}\n${USAGE}\n`);
      process.exit(2);
    }
  }
  return { localAgent };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const plane = await startControlPlane(config);

  const lines = [`Switchyard control plane: ${plane.url}`];
  if (plane.admin.created) {
    lines.push(`Admin account: ${plane.admin.email}`);
    lines.push(
      plane.admin.oneTimePassword
        ? `One-time password: ${plane.admin.oneTimePassword}   (shown once; keep it now)`
        : "Password: the value of SWITCHYARD_ADMIN_PASSWORD",
    );
  }
  const width = Math.max(...lines.map((l) => l.length)) + 4;
  const bar = "=".repeat(width);
  process.stdout.write(`\n${bar}\n${lines.map((l) => `  ${l}`).join("\n")}\n${bar}\n\n`);

  let agent: LocalAgent | null = null;
  if (args.localAgent && config.localAgent) {
    if (canRunLocalAgent()) {
      try {
        agent = await startLocalAgent(
          { prisma: plane.prisma, now: () => new Date() },
          {
            serverUrl: `http://127.0.0.1:${plane.port}`,
            dataDir: config.dataDir,
            enrollmentTtlMs: config.enrollmentTtlMs,
            webDir: config.webDir,
          },
          plane.logger,
        );
      } catch (err) {
        plane.logger.error({ err }, "local agent failed to start");
      }
    } else {
      plane.logger.info("local agent not started: it needs root on Linux");
    }
  }

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    plane.logger.info({ signal }, "signal received");
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    (async () => {
      await agent?.stop();
      await plane.close();
    })().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
}

const isMain = process.argv[1] !== undefined && import.meta.filename === realpathSync(process.argv[1]);
if (isMain) {
  main().catch((err: unknown) => {
    process.stderr.write(
      `control plane failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  });
}
