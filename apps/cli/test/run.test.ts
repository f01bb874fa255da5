import { describe, expect, it } from "vitest";
import { apiError, fakeFetch, host, invoke, json, loggedOut } from "./helpers";

describe("usage errors exit 2 with usage on stderr and nothing on stdout", () => {
  it.each([
    [[], "error: missing command"],
    [["frobnicate"], "error: unknown command 'frobnicate'"],
    [["hosts"], "error: missing hosts command"],
    [["hosts", "frob"], "error: unknown command 'hosts frob'"],
    [["hosts", "show"], "error: missing argument NAME"],
    [["hosts", "show", "a", "b"], "error: unexpected argument 'b'"],
    [["hosts", "ls", "--bogus"], "error: unknown flag --bogus"],
    [["hosts", "create", "x", "--description"], "error: flag --description needs a value"],
    [["version", "extra"], "error: unexpected argument 'extra'"],
    [["help", "nope"], "error: no help for unknown command 'nope'"],
  ])("%j", async (argv, message) => {
    const result = await invoke(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.split("\n")[0]).toBe(message);
    expect(result.stderr).toContain("Usage: yardctl");
  });

  it("checks usage before touching the network", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, {}));
    expect((await invoke(["hosts", "show"], { fetch })).code).toBe(2);
    expect(calls).toEqual([]);
  });
});

describe("help", () => {
  it.each([[["--help"]], [["-h"]], [["help"]]])("%j prints every command to stdout", async (argv) => {
    const result = await invoke(argv);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    for (const cmd of ["login", "hosts ls", "hosts show", "hosts create", "hosts revoke", "version"]) {
      expect(result.stdout).toContain(`  ${cmd} `);
    }
    expect(result.stdout).toContain("YARD_TOKEN");
  });

  it.each([[["hosts", "--help"]], [["help", "hosts"]], [["--help", "hosts"]]])(
    "%j prints the group",
    async (argv) => {
      const result = await invoke(argv);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Usage: yardctl hosts <command>/);
      expect(result.stdout).toContain("hosts create NAME [--description TEXT] [--json]");
    },
  );

  it("<cmd> --help wins over a missing argument", async () => {
    const result = await invoke(["hosts", "show", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: yardctl hosts show NAME \[--json\]/);
    expect(result.stdout).toContain("-h, --help");
  });
});

describe("version", () => {
  it("prints human and JSON output", async () => {
    expect(await invoke(["version"])).toEqual({
      code: 0,
      stdout: "yardctl 0.1.0 (protocol 1)\n",
      stderr: "",
    });
    expect((await invoke(["--version"])).stdout).toBe("yardctl 0.1.0 (protocol 1)\n");
    const result = await invoke(["--json", "version"]);
    expect(JSON.parse(result.stdout)).toEqual({ version: "0.1.0", protocolVersion: 1 });
  });
});

describe("failures exit 1", () => {
  it("without a server or token, says how to log in", async () => {
    const result = await invoke(["hosts", "ls"], { config: loggedOut });
    expect(result).toMatchObject({ code: 1, stdout: "" });
    expect(result.stderr).toContain("error: not logged in");
    expect(result.stderr).toContain("yardctl login");
  });

  it("prints the API's message and field", async () => {
    const { fetch } = fakeFetch(() => apiError(422, "validation_failed", "name may hold letters", "name"));
    const result = await invoke(["hosts", "create", "bad name!"], { fetch });
    expect(result).toEqual({ code: 1, stdout: "", stderr: "error: name may hold letters (field: name)\n" });
  });

  it("a 404 names the problem", async () => {
    const { fetch } = fakeFetch(() => apiError(404, "not_found", "host 'nope' not found"));
    const result = await invoke(["hosts", "show", "nope", "--json"], { fetch });
    expect(result).toEqual({ code: 1, stdout: "", stderr: "error: host 'nope' not found\n" });
  });

  it("a 401 says unauthorized and hints at login", async () => {
    const { fetch } = fakeFetch(() => apiError(401, "unauthorized", "invalid API token"));
    const result = await invoke(["hosts", "ls"], { fetch });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("error: invalid API token");
    expect(result.stderr).toMatch(/hint: unauthorized.*yardctl login/);
  });

  it("an unreachable server, a non-JSON body and a malformed response are clear errors", async () => {
    const down = await invoke(["hosts", "ls"], {
      fetch: async () => {
        throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:3000") });
      },
    });
    expect(down).toMatchObject({ code: 1, stdout: "" });
    expect(down.stderr).toBe(
      "error: cannot reach http://yard.test:3000: connect ECONNREFUSED 127.0.0.1:3000\n",
    );

    const html = await invoke(["hosts", "ls"], {
      fetch: async () => new Response("<html>", { status: 502 }),
    });
    expect(html.code).toBe(1);
    expect(html.stderr).toContain("not JSON");

    const wrong = await invoke(["hosts", "ls"], {
      fetch: async () => json(200, { hosts: [{ ...host, status: 7 }] }),
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("unexpected answer from /api/v1/hosts at hosts.0.status");
  });
});
