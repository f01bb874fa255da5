/**
 * The trace test's ping against real namespaces: a host namespace (as an agent with --netns sees it,
 * every command through `ip netns exec HOST`) and two container namespaces joined by a veth. From one
 * container the other answers; an address nobody holds gets no reply; both within the bounds.
 */
import * as testkit from "@switchyard/netops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hostAccess } from "../src/netns";
import { runPing } from "../src/ping";

const prefix = testkit.runPrefix("sypg");
const names = { host: `${prefix}h`, a: `${prefix}a`, b: `${prefix}b` };
const made: testkit.NetnsHandle[] = [];

beforeAll(async () => {
  await testkit.requirePrerequisites({
    root: true,
    programs: { ip: "iproute2", nsenter: "util-linux", ping: "iputils-ping" },
  });
  for (const name of Object.values(names)) made.push(await testkit.createNetns(name));
  const [, a, b] = made as [testkit.NetnsHandle, testkit.NetnsHandle, testkit.NetnsHandle];
  await a.run(["ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", names.b]);
  await a.run(["ip", "addr", "add", "10.251.0.1/24", "dev", "eth0"]);
  await b.run(["ip", "addr", "add", "10.251.0.2/24", "dev", "eth0"]);
  await a.run(["ip", "link", "set", "eth0", "up"]);
  await b.run(["ip", "link", "set", "eth0", "up"]);
});

afterAll(async () => {
  for (const ns of made.reverse()) await ns.remove().catch(() => {});
});

describe("server:ping inside a container's namespace", () => {
  it("gets replies from the other container, through the host's exec", async () => {
    const { exec } = hostAccess(names.host);
    const started = Date.now();
    const result = await runPing(
      { container: { runtime: "netns", ref: names.a }, address: "10.251.0.2", count: 3, timeoutMs: 1000 },
      exec,
    );
    expect(result).toMatchObject({ sent: 3, received: 3, error: null });
    expect(result.rttMs?.min).toBeGreaterThan(0);
    expect(result.output).toContain("3 packets transmitted, 3 received");
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("an address nobody holds: no reply, its statistics kept; a missing namespace: its name", async () => {
    const { exec } = hostAccess(names.host);
    const silent = await runPing(
      { container: { runtime: "netns", ref: names.b }, address: "10.251.0.9", count: 2, timeoutMs: 500 },
      exec,
    );
    expect(silent).toMatchObject({ sent: 2, received: 0, rttMs: null, error: "no reply from 10.251.0.9" });
    const gone = await runPing(
      { container: { runtime: "netns", ref: `${prefix}x` }, address: "10.251.0.2" },
      exec,
    );
    expect(gone.error).toContain(`network namespace ${prefix}x not found`);
  });
});
