/**
 * Leaked addresses end to end, for real (root): a two-host lab with a private dockerd, a real control
 * plane (UI off, 127.0.0.1) with short leak settings, and real agent processes (support/lab-plane.ts).
 *  - a Docker container removed behind Switchyard's back -> container_gone, with evidence;
 *  - an agent killed (host crash) -> host_offline after HOST_OFFLINE_GRACE;
 *  - the webhook (a local HTTP server on 127.0.0.1) receives both;
 *  - release through yardctl; the agent removes the leftover OVS port; the address is reused only
 *    after the pool's cooldown;
 *  - the crashed host, released meanwhile, comes back: it removes the leftover veth before it is online.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { LabContainerState } from "@switchyard/lab";
import * as testkit from "@switchyard/netops/testkit";
import type { Attachment, LeakFinding, LeakList } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoke, loggedIn } from "../../cli/test/helpers";
import { type Scenario, startScenario } from "./support/lab-plane";
import { hostLinks, ovsPorts } from "./support/net-checks";

const SUBNET = "10.77.0.0/24";
let s: Scenario | undefined;
let hook: Server | undefined;
const received: { kind: string; address: string; host: string | null }[] = [];
const c: Record<string, LabContainerState> = {};
const att: Record<string, Attachment> = {};

const S = () => {
  if (!s) throw new Error("no scenario");
  return s;
};
const yard = (...argv: string[]) =>
  invoke(argv, {
    config: { ...loggedIn, url: S().plane.url, token: S().adminToken },
    fetch: globalThis.fetch,
  });
const leaks = async () => (await S().api.request("GET", "/api/v1/leaks")) as LeakList;
const waitFinding = (kind: string, address: string, timeoutMs = 30_000): Promise<LeakFinding> =>
  testkit.waitFor(`${kind} finding for ${address}`, timeoutMs, async () => {
    await S().plane.leakJobs.checkNow();
    return (
      (await leaks()).findings.find((f) => f.kind === kind && f.address === address && f.state === "open") ??
      null
    );
  });

beforeAll(async () => {
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => {
      body += chunk.toString();
    });
    req.on("end", () => {
      const p = JSON.parse(body) as { finding: LeakFinding };
      received.push({ kind: p.finding.kind, address: p.finding.address, host: p.finding.hostName });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook?.listen(0, "127.0.0.1", resolve));
  s = await startScenario({
    hosts: 2,
    docker: true,
    prefixBase: "yl",
    env: {
      LEAK_CHECK_INTERVAL: "1s",
      LEAK_GRACE: "2s",
      HOST_OFFLINE_GRACE: "3s",
      LEAK_WEBHOOK_URL: `http://127.0.0.1:${(hook.address() as AddressInfo).port}/leaks`,
    },
  });
  // A short cooldown: the pool of the subnet exists before the network, which then uses it.
  await s.api.request("POST", "/api/v1/pools", { name: "leaknet", cidr: SUBNET, cooldownSeconds: 8 });
  await s.api.createNetwork({
    name: "leaknet",
    driver: "ovs",
    subnet: SUBNET,
    vlan: 100,
    bridgeName: "ovs0",
    uplink: "eth1",
  });
  c.d1 = await s.lab.addDockerContainer("h1", "d1");
  c.n2 = await s.lab.addNetnsContainer("h2", "n2");
  c.d3 = await s.lab.addDockerContainer("h1", "d3");
  att.d1 = await s.api.attachAndWait({
    host: s.hostName("h1"),
    container: `docker:${c.d1.ref}`,
    network: "leaknet",
  });
  att.n2 = await s.api.attachAndWait({
    host: s.hostName("h2"),
    container: `netns:${c.n2.ref}`,
    network: "leaknet",
  });
}, 180_000);

afterAll(async () => {
  await s?.close();
  await new Promise((resolve) => (hook ? hook.close(resolve) : resolve(null)));
});

describe("leaks on a real lab", () => {
  it("a container removed behind Switchyard's back: container_gone with evidence; webhook", async () => {
    const lab = S().lab;
    const docker = lab.state.docker?.socketPath ?? "";
    // Healthy: nothing reported.
    await S().plane.leakJobs.checkNow();
    expect((await leaks()).findings).toEqual([]);
    expect((await ovsPorts(lab, "h1")).some((p) => p.name === att.d1?.hostIfname)).toBe(true);
    await lab.hostExec("h1")(["docker", "-H", `unix://${docker}`, "rm", "-f", c.d1?.ref ?? ""], {
      timeoutMs: 30_000,
    });
    const f = await waitFinding("container_gone", att.d1?.address ?? "");
    expect(f).toMatchObject({
      hostName: S().hostName("h1"),
      container: `docker:${c.d1?.ref}`,
      networkName: "leaknet",
      allocationId: att.d1?.allocationId,
    });
    expect(f.evidence.inventoryReceivedAt).not.toBeNull();
    expect(f.evidence.detail).toMatch(/is not on/);
    // Evidence on demand: h1's agent probes the address (arping -D from a port on VLAN 100): silent.
    const probed = (await S().api.request("POST", `/api/v1/leaks/${f.id}/probe`)) as LeakFinding;
    expect(probed.probe).toMatchObject({
      iface: "ovs0",
      address: att.d1?.address,
      answered: false,
      error: null,
    });
    await testkit.waitFor("webhook for container_gone", 10_000, async () =>
      received.some((r) => r.kind === "container_gone" && r.address === att.d1?.address) ? true : null,
    );
  });

  it("release through yardctl; the agent removes the leftover OVS port; reuse only after the cooldown", async () => {
    const lab = S().lab;
    const address = att.d1?.address ?? "";
    const out = await yard("ipam", "release", address, "--pool", "leaknet", "--reason", "d1 removed by hand");
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Released .*container_gone/);
    const releasedAt = Date.now();
    await testkit.waitFor("leftover OVS port removed", 20_000, async () =>
      (await ovsPorts(lab, "h1")).some((p) => p.name === att.d1?.hostIfname) ? null : true,
    );
    // Cooling down: another container cannot have it yet.
    const early = await S()
      .api.attach({ host: S().hostName("h1"), container: `docker:${c.d3?.ref}`, network: "leaknet", address })
      .then(
        () => null,
        (e: unknown) => e as { status?: number },
      );
    expect(early?.status).toBe(409);
    await new Promise((r) => setTimeout(r, Math.max(0, releasedAt + 8_500 - Date.now())));
    const again = await S().api.attachAndWait({
      host: S().hostName("h1"),
      container: `docker:${c.d3?.ref}`,
      network: "leaknet",
      address,
    });
    expect(again.address).toBe(address);
    const history = await yard("ipam", "history", address, "--pool", "leaknet");
    expect(history.stdout).toMatch(/leak_release .*d1 removed by hand/);
  });

  it("an agent killed: host_offline after the grace; webhook; released; leftovers removed before online", async () => {
    const lab = S().lab;
    const address = att.n2?.address ?? "";
    await lab.stopAgent("h2", "SIGKILL");
    const f = await waitFinding("host_offline", address, 40_000);
    expect(f.evidence.hostStatus).toBe("offline");
    expect(f.evidence.hostLastSeenAt).not.toBeNull();
    await testkit.waitFor("webhook for host_offline", 10_000, async () =>
      received.some((r) => r.kind === "host_offline" && r.address === address) ? true : null,
    );
    const out = await yard("ipam", "release", address, "--pool", "leaknet", "--reason", "host crashed");
    expect(out.code).toBe(0);
    // The veth is still on the host while its agent is away.
    expect((await hostLinks(lab, "h2")).some((l) => l.name === att.n2?.hostIfname)).toBe(true);
    await S().restartAgent("h2");
    const host = await S().api.waitHostReady(S().hostName("h2"), 30_000);
    // Online only once the agent applied the desired state without the endpoint: the leftover is gone.
    expect((await hostLinks(lab, "h2")).some((l) => l.name === att.n2?.hostIfname)).toBe(false);
    expect(host.status).toBe("online");
  });
});
