import { parseCommandArgs } from "./args";
import type { ArgDef, ArgValues, Command, CommandSpec, OptionDefs, OptionValues } from "./registry";

/**
 * Declares a command. Flags and positionals are parsed from the spec (strictly, with node:util
 * parseArgs) and handed to `run` typed by the spec, so a command file holds no parsing code.
 */
export function defineCommand<const O extends OptionDefs, const A extends readonly ArgDef[]>(
  spec: CommandSpec<O, A>,
): Command {
  return {
    path: spec.path,
    aliases: spec.aliases ?? [],
    summary: spec.summary,
    description: spec.description,
    options: spec.options,
    args: spec.args,
    async execute(ctx, argv) {
      const parsed = parseCommandArgs(spec.options, spec.args, argv);
      // parseCommandArgs produced exactly one value per declared option and argument, of the declared kind.
      const options = parsed.values as OptionValues<O>;
      const args = parsed.args as ArgValues<A>;
      const code = await spec.run({ ...ctx, json: options.json }, { options, args });
      return code ?? 0;
    },
  };
}
