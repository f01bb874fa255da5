import { spawn } from "node:child_process";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Inventory, PROTOCOL_MINOR } from "@switchyard/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAgent } from "../src/agent";
import type { StateReconciler } from "../src/apply";
import type { AgentConfig } from "../src/config";
import { readCredential, writeCredential } from "../src/credentials";
import { createLogger } from "../src/logger";
import { type FakeControlPlane, startFakeControlPlane } from "./fake-control-plane";
import { inventoryWith } from "./inventory-fixture";

const identity = { agentVersion: "0.1.0", protocolVersion: 1 };

let cp: FakeControlPlane;
let dir: string;
const logs: Record<string, unknown>[] = [];
const logger = createLogger({ level: "debug", write: (line) => logs.push(JSON.parse(line)) });

beforeEach(async () => {
  cp = await startFakeControlPlane();
  dir = await mkdtemp(join(tmpdir(), "agent-run-"));
  logs.length = 0;
});
afterEach(async () => {
  await cp.close();
  await rm(dir, { recursive: true, force: true });
});

function config(overrides: Partial<AgentConfig> = {}): AgentConfig {
  return {
    server: cp.url,
    token: null,
    credentialFile: join(dir, "agent.json"),
    ovsDb: "unix:/nonexistent/db.sock",
    dockerSocket: "/nonexistent/docker.sock",
    datapathType: "netdev",
    pollIntervalMs: 100,
    garpCount: 0,
    stateDir: dir,
    reconcileIntervalMs: 0,
    driftRepair: "auto",
    inventoryResyncMs: 60_000,
    hostname: "box",
    netnsPrefix: null,
    cniSocket: null,
    logLevel: "debug",
    ...overrides,
  };
}

function fakeInventory(names: () => string[]): () => Promise<Inventory> {
  return async () => inventoryWith(names(), "box");
}

describe("runAgent against a control plane", () => {
  it("enrolls, stores the credential, reports inventory changes and heartbeats, stops on abort", async () => {
    cp.tokens.set("tok-1", "box");
    let names = ["eth0"];
    const controller = new AbortController();
    const run = runAgent({
      config: config({ token: "tok-1" }),
      identity,
      logger,
      signal: controller.signal,
      collect: fakeInventory(() => names),
    });
    await cp.waitFor("the first inventory", () => cp.inventories.length === 1);
    const stored = await readCredential(join(dir, "agent.json"));
    expect(stored?.credential).toBe("shc_box_0");
    expect((await stat(join(dir, "agent.json"))).mode & 0o777).toBe(0o600);
    expect(cp.handshakes[0]).toEqual({
      credential: "shc_box_0",
      protocolVersion: 1,
      protocolMinor: PROTOCOL_MINOR,
      agentVersion: "0.1.0",
    });
    await cp.waitFor("heartbeats", () => cp.heartbeats.length >= 2);
    expect(cp.inventories).toHaveLength(1);
    names = ["eth0", "veth9"];
    await cp.waitFor("the changed inventory", () => cp.inventories.length === 2);
    expect(cp.inventories[1]?.inventory.interfaces.map((i) => i.name)).toEqual(["eth0", "veth9"]);
    controller.abort();
    expect(await run).toBe(0);
  });

  it("uses the stored credential without a token, and reconnects after the server drops it", async () => {
    cp.credentials.add("shc_known");
    await writeCredential(join(dir, "agent.json"), {
      server: cp.url,
      hostId: "id",
      hostName: "box",
      credential: "shc_known",
      enrolledAt: new Date().toISOString(),
    });
    const controller = new AbortController();
    const run = runAgent({
      config: config(),
      identity,
      logger,
      signal: controller.signal,
      collect: fakeInventory(() => ["eth0"]),
    });
    await cp.waitFor("the first inventory", () => cp.inventories.length === 1);
    expect(cp.enrollCalls).toBe(0);
    cp.io.of("/agent").disconnectSockets(true);
    await cp.waitFor(
      "a second welcome and full inventory",
      () => cp.welcomes === 2 && cp.inventories.length === 2,
    );
    controller.abort();
    expect(await run).toBe(0);
  });

  it("exits 4 when the host is revoked while connected", async () => {
    cp.credentials.add("shc_known");
    await writeCredential(join(dir, "agent.json"), {
      server: cp.url,
      hostId: "id",
      hostName: "box",
      credential: "shc_known",
      enrolledAt: new Date().toISOString(),
    });
    const run = runAgent({
      config: config(),
      identity,
      logger,
      signal: new AbortController().signal,
      collect: fakeInventory(() => ["eth0"]),
    });
    await cp.waitFor("the first inventory", () => cp.inventories.length === 1);
    cp.revoked.add("shc_known");
    cp.io.of("/agent").disconnectSockets(true);
    expect(await run).toBe(4);
    expect(logs.some((l) => l.level === "error" && /revoked this host/.test(String(l.msg)))).toBe(true);
  });

  it("exits 4 on an unknown credential and 3 on a protocol mismatch, naming both versions", async () => {
    await writeCredential(join(dir, "agent.json"), {
      server: cp.url,
      hostId: "id",
      hostName: "box",
      credential: "shc_unknown",
      enrolledAt: new Date().toISOString(),
    });
    const signal = new AbortController().signal;
    const collect = fakeInventory(() => ["eth0"]);
    expect(await runAgent({ config: config(), identity, logger, signal, collect })).toBe(4);
    expect(
      await runAgent({
        config: config(),
        identity: { ...identity, protocolVersion: 99 },
        logger,
        signal,
        collect,
      }),
    ).toBe(3);
    const mismatch = logs.find((l) => l.exitCode === 3);
    expect(mismatch?.msg).toMatch(/this agent speaks protocol 99, the control plane speaks 1/);
  });

  it("exits 4 when the enrollment token is refused", async () => {
    const code = await runAgent({
      config: config({ token: "bogus" }),
      identity,
      logger,
      signal: new AbortController().signal,
      collect: fakeInventory(() => []),
    });
    expect(code).toBe(4);
  });
});

describe("the switchyard-agent launcher", () => {
  const bin = join(import.meta.dirname, "..", "bin", "switchyard-agent.mjs");

  function launch(args: string[]) {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { child, exited, stderr: () => stderr };
  }

  it("enrolls, reports the real inventory, and exits 0 on SIGTERM", async () => {
    cp.tokens.set("tok-bin", "box");
    const agent = launch([
      "--server",
      cp.url,
      "--token",
      "tok-bin",
      "--credential-file",
      join(dir, "agent.json"),
      "--ovs-db",
      "unix:/nonexistent/db.sock",
      "--docker-socket",
      "/nonexistent/docker.sock",
      "--hostname",
      "launcher-test",
      "--netns-prefix",
      "none-such-",
    ]);
    try {
      await cp.waitFor("an inventory from the launched agent", () => cp.inventories.length === 1, 30_000);
    } catch (error) {
      agent.child.kill("SIGKILL");
      throw new Error(`${(error as Error).message}; agent stderr:\n${agent.stderr()}`);
    }
    const inventory = cp.inventories[0]?.inventory;
    expect(inventory?.hostname).toBe("launcher-test");
    expect(inventory?.interfaces.some((i) => i.name === "lo")).toBe(true);
    expect(inventory?.ovs).toEqual({
      available: false,
      error: "OVS database socket /nonexistent/db.sock not found",
      bridges: [],
    });
    agent.child.kill("SIGTERM");
    expect(await agent.exited).toBe(0);
    const lines = agent
      .stderr()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.msg)).toEqual(
      expect.arrayContaining(["starting", "enrolled", "welcomed", "stopping"]),
    );
  }, 40_000);

  it("exits 2 with the usage on a bad command line", async () => {
    const agent = launch(["--poll-interval", "2s"]);
    expect(await agent.exited).toBe(2);
    expect(agent.stderr()).toMatch(/--server: is required[\s\S]*Usage: switchyard-agent/);
  }, 30_000);
});

describe("desired state through a real socket", () => {
  it("one bad endpoint fails alone, and a result the server refused is sent again until acknowledged", async () => {
    cp.tokens.set("tok-ds", "box");
    const controller = new AbortController();
    const applied: string[][] = [];
    const reconciler: StateReconciler = {
      async apply(state) {
        applied.push(state.endpoints.map((e) => e.id));
        return {
          serial: state.serial,
          results: state.endpoints.map((e) => ({
            endpointId: e.id,
            status: "applied" as const,
            error: null,
            hostIfname: "sy00000000h",
          })),
          events: [],
        };
      },
    };
    const run = runAgent({
      config: config({ token: "tok-ds" }),
      identity,
      logger,
      signal: controller.signal,
      collect: fakeInventory(() => ["eth0"]),
      reconciler,
    });
    await cp.waitFor("the first inventory", () => cp.inventories.length >= 1);
    cp.resultAcks.push("refuse");
    cp.pushDesiredState({
      serial: 3,
      networks: [{ id: "n1", name: "flat", driver: "bridge", bridgeName: "br0", prefixLength: 24 }],
      endpoints: [
        { id: "good", networkId: "n1", container: { runtime: "netns", ref: "c1" }, address: "10.0.0.2" },
        {
          id: "long",
          networkId: "n1",
          container: { runtime: "docker", ref: "x".repeat(262) },
          address: "10.0.0.3",
        },
      ],
    });
    await cp.waitFor("the result, sent again after the refusal", () => cp.results.length >= 2, 10_000);
    controller.abort();
    expect(await run).toBe(0);
    expect(applied).toEqual([["good"]]);
    expect(cp.results.map((r) => r.serial)).toEqual([3, 3]);
    const byId = new Map(cp.results[1]?.results.map((r) => [r.endpointId, r]));
    expect(byId.get("good")?.status).toBe("applied");
    expect(byId.get("long")).toMatchObject({ status: "failed", hostIfname: null });
    expect(byId.get("long")?.error).toContain("container.ref");
  });
});
