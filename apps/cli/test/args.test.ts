import { describe, expect, it } from "vitest";
import { parseCommandArgs } from "../src/args";
import { UsageError } from "../src/errors";
import { loadCommands } from "../src/load";
import { findCommand, splitArgv } from "../src/resolve";

const options = {
  ip: { type: "string", description: "address" },
  wait: { type: "boolean", description: "wait" },
} as const;
const args = [
  { name: "NAME", description: "name" },
  { name: "EXTRA", description: "extra", optional: true },
] as const;

describe("parseCommandArgs", () => {
  it("parses flags, positionals and the global flags", () => {
    const parsed = parseCommandArgs(options, args, ["web-1", "--ip", "10.0.0.5", "--json"]);
    expect(parsed.values).toEqual({ ip: "10.0.0.5", wait: false, json: true, help: false });
    expect(parsed.args).toEqual({ NAME: "web-1", EXTRA: undefined });
  });

  it("accepts --flag=value and an optional positional", () => {
    const parsed = parseCommandArgs(options, args, ["--ip=10.0.0.6", "a", "b", "--wait"]);
    expect(parsed.values.ip).toBe("10.0.0.6");
    expect(parsed.values.wait).toBe(true);
    expect(parsed.args).toEqual({ NAME: "a", EXTRA: "b" });
  });

  it.each([
    [["--bogus", "x"], "unknown flag --bogus"],
    [["x", "--ip"], "flag --ip needs a value"],
    [["x", "--wait=yes"], "flag --wait takes no value"],
    [[], "missing argument NAME"],
    [["a", "b", "c"], "unexpected argument 'c'"],
    [["a", "--ip", "1", "--ip", "2"], "--ip given more than once"],
  ])("%j is a usage error: %s", (argv, message) => {
    expect(() => parseCommandArgs(options, args, argv)).toThrow(new UsageError(message));
  });
});

describe("command resolution", () => {
  it("splits leading global flags, words and the rest", () => {
    expect(splitArgv(["--json", "hosts", "show", "web-1", "--foo", "bar"])).toEqual({
      leadingFlags: ["--json"],
      words: ["hosts", "show", "web-1"],
      rest: ["--foo", "bar"],
    });
  });

  it("finds the longest matching path, aliases included", async () => {
    const commands = await loadCommands();
    expect(findCommand(commands, ["hosts", "show", "ls"])?.command.path).toEqual(["hosts", "show"]);
    expect(findCommand(commands, ["hosts", "list"])?.command.path).toEqual(["hosts", "ls"]);
    expect(findCommand(commands, ["login", "extra"])).toMatchObject({ depth: 1 });
    expect(findCommand(commands, ["hosts"])).toBeUndefined();
    expect(findCommand(commands, ["nope"])).toBeUndefined();
  });
});
