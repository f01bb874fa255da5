import { type ParseArgsConfig, parseArgs } from "node:util";

type ParseArgsOptionsConfig = NonNullable<ParseArgsConfig["options"]>;

import { UsageError } from "./errors";
import type { ArgDef, OptionDefs } from "./registry";

/** Flags every command accepts. */
export const GLOBAL_OPTIONS: OptionDefs = {
  json: { type: "boolean", description: "print the API's response as JSON, nothing else on stdout" },
  help: { type: "boolean", short: "h", description: "show help" },
};

export interface ParsedArgs {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly args: Readonly<Record<string, string | undefined>>;
}

/** Parses a command's flags and positionals strictly; any mistake is a UsageError. */
export function parseCommandArgs(
  options: OptionDefs,
  argDefs: readonly ArgDef[],
  argv: readonly string[],
): ParsedArgs {
  const all = { ...GLOBAL_OPTIONS, ...options };
  const config: ParseArgsOptionsConfig = {};
  for (const [name, def] of Object.entries(all)) {
    config[name] = def.short ? { type: def.type, short: def.short } : { type: def.type };
  }
  let parsed: ReturnType<typeof parseTokens>;
  try {
    parsed = parseTokens(argv, config);
  } catch (error) {
    throw new UsageError(cleanParseError(error));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== "option") continue;
    if (seen.has(token.name)) throw new UsageError(`--${token.name} given more than once`);
    seen.add(token.name);
  }
  const values: Record<string, string | boolean | undefined> = {};
  for (const [name, def] of Object.entries(all)) {
    const value = parsed.values[name];
    values[name] = def.type === "boolean" ? value === true : typeof value === "string" ? value : undefined;
  }
  const args: Record<string, string | undefined> = {};
  const positionals = parsed.positionals;
  argDefs.forEach((def, i) => {
    const value = positionals[i];
    if (value === undefined && !def.optional) throw new UsageError(`missing argument ${def.name}`);
    args[def.name] = value;
  });
  if (positionals.length > argDefs.length) {
    throw new UsageError(`unexpected argument '${positionals[argDefs.length]}'`);
  }
  return { values, args };
}

interface RawParse {
  readonly values: Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;
  readonly positionals: readonly string[];
  readonly tokens: readonly (
    | { kind: "option"; name: string }
    | { kind: "positional" | "option-terminator" }
  )[];
}

function parseTokens(argv: readonly string[], options: ParseArgsOptionsConfig): RawParse {
  return parseArgs({ args: [...argv], options, allowPositionals: true, strict: true, tokens: true });
}

/** Node's messages are long and mention `strict:false`; keep the useful first sentence. */
function cleanParseError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown) return `unknown flag ${unknown[1]}`;
  const missingValue = /^Option '([^' ]+)(?: <value>)?' argument missing/.exec(message);
  if (missingValue) return `flag ${(missingValue[1] ?? "").replace(/^-\w, /, "")} needs a value`;
  const noValue = /^Option '([^']+)' does not take an argument/.exec(message);
  if (noValue) return `flag ${(noValue[1] ?? "").replace(/^-\w, /, "")} takes no value`;
  return message.split(". ")[0] ?? message;
}
