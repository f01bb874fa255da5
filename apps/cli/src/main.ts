import { homedir, hostname } from "node:os";
import { SWITCHYARD_VERSION } from "@switchyard/protocol";
import { resolveConfig } from "./config";
import { loadCommands } from "./load";
import { run } from "./run";

/** The process edge: the only place that reads process.env, argv and the real streams. */
async function main(): Promise<number> {
  const config = await resolveConfig(process.env, homedir());
  const commands = await loadCommands();
  return run(process.argv.slice(2), {
    io: {
      stdout: process.stdout,
      stderr: process.stderr,
      stdin: process.stdin,
      stdinIsTTY: process.stdin.isTTY === true,
    },
    config,
    fetch: (url, init) => fetch(url, init),
    hostname: hostname(),
    version: SWITCHYARD_VERSION,
    commands,
  });
}

// `yardctl hosts ls | head -1`: a closed pipe is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  throw error;
});

// No top-level await: the bundle is CommonJS (Node starts a CommonJS program faster than a module).
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `error: internal: ${error instanceof Error ? (error.stack ?? error.message) : error}\n`,
    );
    process.exitCode = 1;
  },
);
