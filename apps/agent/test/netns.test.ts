import type { Exec, ExecOptions } from "@switchyard/netops";
import { describe, expect, it } from "vitest";
import { parseConfig, UsageError } from "../src/config";
import { hostAccess, isValidNetnsName, netnsExec } from "../src/netns";

describe("--netns", () => {
  it("wraps every command in the named namespace, keeping the caller's options", async () => {
    const seen: [readonly string[], ExecOptions | undefined][] = [];
    const base: Exec = async (argv, options) => {
      seen.push([argv, options]);
      return { stdout: "", stderr: "" };
    };
    await netnsExec("lab-h1", base)(["ip", "-j", "link"], { timeoutMs: 5 });
    expect(seen).toEqual([[["ip", "-j", "link"], { timeoutMs: 5, netns: "lab-h1" }]]);
    const access = hostAccess("lab-h1", base);
    expect(access.hostNetnsPath).toBe("/run/netns/lab-h1");
    expect(hostAccess(undefined, base)).toEqual({ exec: base, hostNetnsPath: undefined });
  });

  it("is parsed from the flag or SWITCHYARD_NETNS and validated", () => {
    const flag = parseConfig(["--server", "http://cp", "--netns", "yl1-h1"], {}, { hostname: "x" });
    expect(flag.action === "run" && flag.config.netns).toBe("yl1-h1");
    const env = parseConfig(["--server", "http://cp"], { SWITCHYARD_NETNS: "h2" }, { hostname: "x" });
    expect(env.action === "run" && env.config.netns).toBe("h2");
    const none = parseConfig(["--server", "http://cp"], {}, { hostname: "x" });
    expect(none.action === "run" && none.config.netns).toBeUndefined();
    expect(() => parseConfig(["--server", "http://cp", "--netns", "a/b"], {}, { hostname: "x" })).toThrow(
      UsageError,
    );
    expect(isValidNetnsName("..")).toBe(false);
  });
});
