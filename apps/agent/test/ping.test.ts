import { readFileSync } from "node:fs";
import { ExecError } from "@switchyard/netops";
import { describe, expect, it } from "vitest";
import { parsePingOutput, runPing } from "../src/ping";

const fixture = (name: string) => readFileSync(new URL(`./ping-fixtures/${name}`, import.meta.url), "utf8");
const container = { runtime: "netns", ref: "con1" } as const;
// A ref "net" resolves to /proc/self/ns/net, which exists: no namespace of its own is needed here.
const netnsDir = "/proc/self/ns";

describe("trace test ping (server:ping)", () => {
  it("parses iputils ping's summary (captured output)", () => {
    expect(parsePingOutput(fixture("replies.txt"))).toEqual({
      sent: 3,
      received: 3,
      rttMs: { min: 0.061, avg: 0.107, max: 0.179 },
    });
    expect(parsePingOutput(fixture("ipv6.txt"))).toEqual({
      sent: 2,
      received: 2,
      rttMs: { min: 0.071, avg: 0.093, max: 0.115 },
    });
    expect(parsePingOutput(fixture("no-reply.txt"))).toEqual({ sent: 2, received: 0, rttMs: null });
    expect(parsePingOutput("ping: connect: Network is unreachable")).toBeNull();
  });

  it("runs ping inside the container's namespace, argv only, the address after --", async () => {
    const argvs: string[][] = [];
    const result = await runPing(
      { container: { runtime: "netns", ref: "net" }, address: "10.250.0.2", count: 3, timeoutMs: 1500 },
      async (argv) => {
        argvs.push([...argv]);
        return { stdout: fixture("replies.txt"), stderr: "" };
      },
      { netnsDir },
    );
    expect(argvs).toEqual([
      [
        ...["nsenter", "--net=/proc/self/ns/net", "--"],
        ...["ping", "-c", "3", "-i", "0.2", "-W", "2", "-n", "--", "10.250.0.2"],
      ],
    ]);
    expect(result).toMatchObject({ sent: 3, received: 3, error: null });
    expect(result.output).toContain("3 packets transmitted");
  });

  it("no reply: exit 1 with its statistics", async () => {
    const result = await runPing(
      { container: { runtime: "netns", ref: "net" }, address: "10.250.0.9", count: 2 },
      async (argv) => {
        throw new ExecError(argv, 1, "", false, fixture("no-reply.txt"));
      },
      { netnsDir },
    );
    expect(result).toMatchObject({ sent: 2, received: 0, rttMs: null, error: "no reply from 10.250.0.9" });
  });

  it("ping's own error (exit 2) and a timeout are the error text", async () => {
    const unreachable = await runPing(
      { container: { runtime: "netns", ref: "net" }, address: "10.99.99.1" },
      async (argv) => {
        throw new ExecError(argv, 2, "ping: connect: Network is unreachable\n", false);
      },
      { netnsDir },
    );
    expect(unreachable).toMatchObject({ received: 0, error: "ping: connect: Network is unreachable" });
    const slow = await runPing(
      { container: { runtime: "netns", ref: "net" }, address: "10.99.99.1" },
      async (argv) => {
        throw new ExecError(argv, null, "", true);
      },
      { netnsDir },
    );
    expect(slow.error).toBe("ping timed out");
  });

  it("refuses what is not an IP, too many packets, a missing namespace, before running anything", async () => {
    const never = async (): Promise<never> => {
      throw new Error("must not run");
    };
    for (const address of ["-f", "--flood", "10.0.0.1 -f", "example.com", "10.0.0.256"]) {
      const r = await runPing({ container, address }, never, { netnsDir });
      expect(r.error, address).toMatch(/^invalid ping request: address/);
    }
    expect((await runPing({ container, address: "10.0.0.1", count: 6 }, never)).error).toMatch(/count/);
    expect(
      (await runPing({ container: { runtime: "netns", ref: "-x" }, address: "10.0.0.1" }, never)).error,
    ).toMatch(/container\.ref/);
    const gone = await runPing({ container, address: "10.0.0.1" }, never, { netnsDir: "/nonexistent" });
    expect(gone.error).toMatch(/network namespace con1 not found/);
  });
});
