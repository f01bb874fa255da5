import { readdir } from "node:fs/promises";
import type { Command, CommandModule } from "./registry";
import { assertUniquePaths } from "./resolve";

const COMMANDS_DIR = new URL("./commands/", import.meta.url);

/**
 * Every file in src/commands/ is a command group exporting `commands`; adding `networks.ts` adds
 * `yardctl networks ...` with no other edit.
 */
export async function loadCommands(dir: URL = COMMANDS_DIR): Promise<Command[]> {
  const files = (await readdir(dir)).filter((f) => /\.[cm]?[tj]s$/.test(f) && !f.endsWith(".d.ts")).sort();
  const commands: Command[] = [];
  for (const file of files) {
    const mod: unknown = await import(new URL(file, dir).href);
    if (!isCommandModule(mod)) throw new Error(`src/commands/${file} must export 'commands: Command[]'`);
    commands.push(...mod.commands);
  }
  assertUniquePaths(commands);
  return commands;
}

function isCommandModule(mod: unknown): mod is CommandModule {
  return typeof mod === "object" && mod !== null && "commands" in mod && Array.isArray(mod.commands);
}
