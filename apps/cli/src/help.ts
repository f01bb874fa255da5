import { GLOBAL_OPTIONS } from "./args";
import { renderColumns } from "./format";
import type { Command, OptionDefs } from "./registry";

export const PROGRAM = "yardctl";

function commandName(command: Command): string {
  return command.path.join(" ");
}

export function usageLine(command: Command): string {
  const args = command.args.map((a) => (a.optional ? `[${a.name}]` : a.name));
  const flags = Object.entries(command.options).map(([name, def]) =>
    def.type === "string" ? `[--${name} ${def.valueName ?? "VALUE"}]` : `[--${name}]`,
  );
  return [PROGRAM, ...command.path, ...args, ...flags, "[--json]"].join(" ");
}

/** `yardctl --help`: every command, grouped by their first word. */
export function renderRootHelp(commands: readonly Command[], version: string): string {
  const rows = sorted(commands).map((c) => [`  ${commandName(c)}`, c.summary]);
  return [
    `${PROGRAM} ${version}: the Switchyard command line`,
    "",
    `Usage: ${PROGRAM} <command> [arguments] [flags]`,
    "",
    "Commands:",
    renderColumns(rows).trimEnd(),
    "",
    "Flags on every command:",
    renderOptions(GLOBAL_OPTIONS).trimEnd(),
    "",
    "Environment:",
    "  YARD_URL    server URL, overrides the saved one",
    "  YARD_TOKEN  API token, overrides the saved one",
    "",
    `Exit codes: 0 ok, 1 failed, 2 usage. Run '${PROGRAM} <command> --help' for a command's flags.`,
    "",
  ].join("\n");
}

/** `yardctl hosts --help`: the commands under one word. */
export function renderGroupHelp(group: string, commands: readonly Command[]): string {
  const members = sorted(commands.filter((c) => c.path[0] === group));
  const rows = members.map((c) => [`  ${usageLine(c).slice(PROGRAM.length + 1)}`, c.summary]);
  return [
    `Usage: ${PROGRAM} ${group} <command>`,
    "",
    "Commands:",
    renderColumns(rows).trimEnd(),
    "",
    `Run '${PROGRAM} ${group} <command> --help' for details.`,
    "",
  ].join("\n");
}

/** `yardctl hosts create --help`. */
export function renderCommandHelp(command: Command): string {
  const lines = [`Usage: ${usageLine(command)}`, "", command.summary];
  if (command.description) lines.push("", command.description);
  if (command.args.length > 0) {
    const rows = command.args.map((a) => [
      `  ${a.name}`,
      a.optional ? `${a.description} (optional)` : a.description,
    ]);
    lines.push("", "Arguments:", renderColumns(rows).trimEnd());
  }
  lines.push("", "Flags:", renderOptions({ ...command.options, ...GLOBAL_OPTIONS }).trimEnd(), "");
  return lines.join("\n");
}

function renderOptions(options: OptionDefs): string {
  const rows = Object.entries(options).map(([name, def]) => {
    const short = def.short ? `-${def.short}, ` : "    ";
    const value = def.type === "string" ? ` ${def.valueName ?? "VALUE"}` : "";
    return [`  ${short}--${name}${value}`, def.description];
  });
  return renderColumns(rows);
}

function sorted(commands: readonly Command[]): Command[] {
  return [...commands].sort((a, b) => commandName(a).localeCompare(commandName(b)));
}
