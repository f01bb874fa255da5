/** switchyard-agent entry point: parses the configuration once and wires the process (signals, exit code). */
import { hostname } from "node:os";
import { readInventory } from "@switchyard/netops";
import { PROTOCOL_VERSION, SWITCHYARD_VERSION } from "@switchyard/protocol";
import { runAgent } from "./agent";
import { INSTALL_CNI_USAGE, installCni, parseInstallCni } from "./cni/install";
import { parseConfig, USAGE, UsageError } from "./config";
import { ExitCode } from "./exit-codes";
import { createLogger } from "./logger";
import { hostAccess } from "./netns";

async function installCniCommand(argv: readonly string[]): Promise<number> {
  let options: ReturnType<typeof parseInstallCni>;
  try {
    options = parseInstallCni(argv);
  } catch (error) {
    process.stderr.write(`switchyard-agent install-cni: ${(error as Error).message}\n\n${INSTALL_CNI_USAGE}`);
    return ExitCode.usage;
  }
  if (options === "help") {
    process.stdout.write(INSTALL_CNI_USAGE);
    return ExitCode.ok;
  }
  for (const line of await installCni(options)) process.stdout.write(`${line}\n`);
  process.stdout.write(`start the agent with --cni-socket ${options.socket} to serve it\n`);
  return ExitCode.ok;
}

async function main(): Promise<number> {
  if (process.argv[2] === "install-cni") return installCniCommand(process.argv.slice(3));
  let command: ReturnType<typeof parseConfig>;
  try {
    command = parseConfig(process.argv.slice(2), process.env, { hostname: hostname() });
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`switchyard-agent: ${error.message}\n\n${USAGE}`);
    return ExitCode.usage;
  }
  if (command.action === "help") {
    process.stdout.write(USAGE);
    return ExitCode.ok;
  }
  if (command.action === "version") {
    process.stdout.write(`switchyard-agent ${SWITCHYARD_VERSION} (protocol ${PROTOCOL_VERSION})\n`);
    return ExitCode.ok;
  }
  const logger = createLogger({ level: command.config.logLevel });
  if (command.action === "print-inventory") {
    const { config } = command;
    const host = hostAccess(config.netns);
    const inventory = await readInventory({
      hostname: config.hostname,
      ovsDb: config.ovsDb,
      dockerSocket: config.dockerSocket,
      netnsPrefix: config.netnsPrefix,
      exec: host.exec,
      hostNetnsPath: host.hostNetnsPath,
      onWarning: (message, fields) => logger.warn(message, fields),
    });
    process.stdout.write(`${JSON.stringify(inventory, null, 2)}\n`);
    return ExitCode.ok;
  }

  const { config } = command;
  const controller = new AbortController();
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      logger.info("stopping", { signal });
      controller.abort();
    });
  }
  logger.info("starting", {
    agentVersion: SWITCHYARD_VERSION,
    protocolVersion: PROTOCOL_VERSION,
    server: config.server,
    hostname: config.hostname,
    pollIntervalMs: config.pollIntervalMs,
    ...(config.netns ? { netns: config.netns } : {}),
  });
  return runAgent({
    config,
    identity: { agentVersion: SWITCHYARD_VERSION, protocolVersion: PROTOCOL_VERSION },
    logger,
    signal: controller.signal,
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `${JSON.stringify({ time: new Date().toISOString(), level: "error", msg: "agent crashed", error: String(error) })}\n`,
    );
    process.exit(ExitCode.failure);
  },
);
