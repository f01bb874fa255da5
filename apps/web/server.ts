/**
 * The control plane's one process: `node_modules/.bin/tsx server.ts` (from apps/web).
 * UI (Next.js), REST API (/api/v1) and socket.io (/agent, /ui) on one HTTP server.
 */
import { realpathSync } from "node:fs";
import { ConfigError, loadConfig } from "./src/server/config";
import { startControlPlane } from "./src/server/control-plane";

export { startControlPlane } from "./src/server/control-plane";

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
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

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    plane.logger.info({ signal }, "signal received");
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    plane.close().then(
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
