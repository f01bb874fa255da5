import { ApiClient, type FetchFn } from "./api";
import { normalizeServerUrl, type ResolvedConfig } from "./config";
import { ApiRequestError, CliError, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from "./errors";
import { PROGRAM, renderCommandHelp, renderGroupHelp, renderRootHelp, usageLine } from "./help";
import { type Io, writeLine } from "./io";
import type { Command, CommandContext } from "./registry";
import { findCommand, isGroup, splitArgv } from "./resolve";

export interface RunDeps {
  readonly io: Io;
  /** Resolved once at start (env over file). */
  readonly config: ResolvedConfig;
  readonly fetch: FetchFn;
  readonly hostname: string;
  readonly version: string;
  readonly commands: readonly Command[];
  readonly now?: () => Date;
}

/** Runs one invocation and returns the exit code: 0 ok, 1 failed, 2 usage. Never throws. */
export async function run(argv: readonly string[], deps: RunDeps): Promise<number> {
  const { io, commands } = deps;
  let command: Command | undefined;
  try {
    // `yardctl --version` is `yardctl version`.
    const split = splitArgv(argv[0] === "--version" ? ["version", ...argv.slice(1)] : argv);
    if (split.words[0] === "help") return help(split.words.slice(1), deps);
    const found = findCommand(commands, split.words);
    if (found) {
      command = found.command;
      const rest = [...split.leadingFlags, ...split.words.slice(found.depth), ...split.rest];
      if (wantsHelp(rest)) {
        io.stdout.write(renderCommandHelp(command));
        return EXIT_OK;
      }
      return await command.execute(buildContext(deps), rest);
    }
    const group = split.words[0];
    const helpFlag = wantsHelp(split.leadingFlags) || wantsHelp(split.rest);
    if (group === undefined) {
      if (helpFlag) return help([], deps);
      throw new UsageError("missing command", renderRootHelp(commands, deps.version));
    }
    if (isGroup(commands, group)) {
      if (helpFlag && split.words.length === 1) return help([group], deps);
      const sub = split.words[1];
      const message = sub === undefined ? `missing ${group} command` : `unknown command '${group} ${sub}'`;
      throw new UsageError(message, renderGroupHelp(group, commands));
    }
    throw new UsageError(`unknown command '${group}'`, renderRootHelp(commands, deps.version));
  } catch (error) {
    return report(error, io, command);
  }
}

function help(words: readonly string[], deps: RunDeps): number {
  const { io, commands } = deps;
  if (words.length === 0) {
    io.stdout.write(renderRootHelp(commands, deps.version));
    return EXIT_OK;
  }
  const found = findCommand(commands, words);
  if (found && found.depth === words.length) {
    io.stdout.write(renderCommandHelp(found.command));
    return EXIT_OK;
  }
  const group = words[0];
  if (group !== undefined && words.length === 1 && isGroup(commands, group)) {
    io.stdout.write(renderGroupHelp(group, commands));
    return EXIT_OK;
  }
  throw new UsageError(
    `no help for unknown command '${words.join(" ")}'`,
    renderRootHelp(commands, deps.version),
  );
}

function wantsHelp(tokens: readonly string[]): boolean {
  const end = tokens.indexOf("--");
  return (end === -1 ? tokens : tokens.slice(0, end)).some((t) => t === "--help" || t === "-h");
}

function buildContext(deps: RunDeps): Omit<CommandContext, "json"> {
  const { config, fetch } = deps;
  return {
    config: deps.config,
    io: deps.io,
    now: deps.now ?? (() => new Date()),
    hostname: deps.hostname,
    client() {
      if (!config.url || !config.token) {
        const why = config.fileError ? ` (${config.fileError})` : "";
        throw new CliError(
          `not logged in${why}`,
          `run '${PROGRAM} login --url URL', or set YARD_URL and YARD_TOKEN`,
        );
      }
      return new ApiClient({ baseUrl: serverUrl(config), token: config.token, fetch });
    },
    anonymousClient(url) {
      return new ApiClient({ baseUrl: url, fetch });
    },
  };
}

function serverUrl(config: ResolvedConfig): string {
  try {
    return normalizeServerUrl(config.url ?? "");
  } catch (error) {
    const from = config.urlSource === "env" ? "YARD_URL" : config.path;
    throw new CliError(`bad server URL in ${from}: ${error instanceof Error ? error.message : error}`);
  }
}

function report(error: unknown, io: Io, command: Command | undefined): number {
  if (error instanceof UsageError) {
    writeLine(io.stderr, `error: ${error.message}`);
    const usage = error.usage ?? (command ? commandUsage(command) : undefined);
    if (usage) io.stderr.write(`\n${usage}`);
    return EXIT_USAGE;
  }
  if (error instanceof CliError) {
    const field = error instanceof ApiRequestError && error.field ? ` (field: ${error.field})` : "";
    writeLine(io.stderr, `error: ${error.message}${field}`);
    if (error.hint) writeLine(io.stderr, `hint: ${error.hint}`);
    return EXIT_FAILED;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  writeLine(io.stderr, `error: internal: ${message}`);
  return EXIT_FAILED;
}

function commandUsage(command: Command): string {
  return `Usage: ${usageLine(command)}\nRun '${PROGRAM} ${command.path.join(" ")} --help' for details.\n`;
}
