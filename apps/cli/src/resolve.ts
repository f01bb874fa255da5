import type { Command } from "./registry";

/** Flags that may come before the command words: `yardctl --json hosts ls`. */
const LEADING_FLAGS = new Set(["--json", "--help", "-h"]);

export interface SplitArgv {
  /** Global flags before the first word. */
  readonly leadingFlags: readonly string[];
  /** Bare words up to the first flag: command words, then positionals. */
  readonly words: readonly string[];
  /** Everything from the first flag after the words on. */
  readonly rest: readonly string[];
}

export function splitArgv(argv: readonly string[]): SplitArgv {
  let i = 0;
  while (i < argv.length && LEADING_FLAGS.has(argv[i] ?? "")) i++;
  let j = i;
  while (j < argv.length && !(argv[j] ?? "").startsWith("-")) j++;
  return { leadingFlags: argv.slice(0, i), words: argv.slice(i, j), rest: argv.slice(j) };
}

/** The command whose path is the longest prefix of `words` (aliases match the last path word). */
export function findCommand(
  commands: readonly Command[],
  words: readonly string[],
): { command: Command; depth: number } | undefined {
  let best: { command: Command; depth: number } | undefined;
  for (const command of commands) {
    const depth = command.path.length;
    if (depth > words.length || (best && best.depth >= depth)) continue;
    const matches = command.path.every((word, i) => {
      const given = words[i];
      return given === word || (i === depth - 1 && given !== undefined && command.aliases.includes(given));
    });
    if (matches) best = { command, depth };
  }
  return best;
}

/** True when `word` is the first word of a multi-word command (`hosts`, `networks`). */
export function isGroup(commands: readonly Command[], word: string): boolean {
  return commands.some((c) => c.path.length > 1 && c.path[0] === word);
}

/** Fails loudly when two command files claim the same words. */
export function assertUniquePaths(commands: readonly Command[]): void {
  const seen = new Set<string>();
  for (const command of commands) {
    for (const last of [command.path.at(-1), ...command.aliases]) {
      const key = [...command.path.slice(0, -1), last].join(" ");
      if (seen.has(key)) throw new Error(`two commands claim '${key}'`);
      seen.add(key);
    }
  }
}
