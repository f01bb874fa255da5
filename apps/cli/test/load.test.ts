import { describe, expect, it } from "vitest";
import { defineCommand } from "../src/define";
import { loadCommands } from "../src/load";
import { assertUniquePaths } from "../src/resolve";

describe("command registry", () => {
  it("loads every file in src/commands", async () => {
    const names = (await loadCommands()).map((c) => c.path.join(" "));
    expect(names).toEqual(
      expect.arrayContaining(["login", "version", "hosts ls", "hosts show", "hosts create", "hosts revoke"]),
    );
  });

  it("refuses two commands with the same words", () => {
    const make = (path: string[], aliases: string[] = []) =>
      defineCommand({ path, aliases, summary: "", options: {}, args: [], run: async () => 0 });
    expect(() => assertUniquePaths([make(["a", "ls"]), make(["a", "list"], ["ls"])])).toThrow(
      "two commands claim 'a ls'",
    );
    expect(() => assertUniquePaths([make(["a", "ls"]), make(["b", "ls"])])).not.toThrow();
  });
});
