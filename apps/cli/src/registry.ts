import type { ApiClient } from "./api";
import type { ResolvedConfig } from "./config";
import type { Io } from "./io";

/** One `--flag`. Strings take a value (`--ip 10.0.0.5`), booleans do not (`--wait`). */
interface OptionDef {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly description: string;
  /** Shown in help after a string flag: `--ip ADDRESS`. */
  readonly valueName?: string;
}

/** One positional argument: `hosts show NAME`. */
export interface ArgDef {
  readonly name: string;
  readonly description: string;
  readonly optional?: boolean;
}

export type OptionDefs = Readonly<Record<string, OptionDef>>;

type OptionValue<D extends OptionDef> = D["type"] extends "boolean" ? boolean : string | undefined;

export type OptionValues<O extends OptionDefs> = { readonly [K in keyof O]: OptionValue<O[K]> } & {
  readonly json: boolean;
};

export type ArgValues<A extends readonly ArgDef[]> = {
  readonly [D in A[number] as D["name"]]: D extends { optional: true } ? string | undefined : string;
};

/** Everything a command may use; built once per invocation by the dispatcher. */
export interface CommandContext {
  readonly config: ResolvedConfig;
  readonly io: Io;
  /** `--json`: print the API's response as JSON and nothing else on stdout. */
  readonly json: boolean;
  readonly now: () => Date;
  /** This machine's hostname (names the API token `yardctl@<hostname>`). */
  readonly hostname: string;
  /** A client for the configured server and token; fails with a clear message when either is missing. */
  client(): ApiClient;
  /** A client without a token (sign-in, health). */
  anonymousClient(url: string): ApiClient;
}

export interface CommandSpec<O extends OptionDefs, A extends readonly ArgDef[]> {
  /** Words that select the command: `["hosts", "ls"]`, `["login"]`. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Longer text shown by `--help` under the usage line. */
  readonly description?: string;
  readonly options: O;
  readonly args: A;
  /** Other spellings of the last path word: `ls` for `list`. */
  readonly aliases?: readonly string[];
  /** Returns the exit code (0 when omitted). Throws UsageError (2) or CliError (1). */
  run(
    ctx: CommandContext,
    input: { options: OptionValues<O>; args: ArgValues<A> },
  ): Promise<number | undefined>;
}

/** A command with its types erased, as the registry stores it. */
export interface Command {
  readonly path: readonly string[];
  readonly aliases: readonly string[];
  readonly summary: string;
  readonly description: string | undefined;
  readonly options: OptionDefs;
  readonly args: readonly ArgDef[];
  /** Parses `argv` (everything after the command words) and runs. */
  execute(ctx: Omit<CommandContext, "json">, argv: readonly string[]): Promise<number>;
}

/** Each file in src/commands/ exports `commands: readonly Command[]`. */
export interface CommandModule {
  readonly commands: readonly Command[];
}
