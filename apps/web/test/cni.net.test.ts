/**
 * The switchyard CNI plugin with a real container runtime (root): podman 4.3's CNI backend on a two-host
 * lab (OVS, VLAN 100 between the hosts), a real control plane and real agents serving the plugin's socket
 * (support/podman.ts: podman and the agents share a private mount namespace, so podman's pinned
 * namespaces are the agents' netns: containers).
 *  - two containers on two hosts get addresses from their hosts' blocks, podman reports them, they ping;
 *  - CHECK through the installed plugin; `podman rm` runs DEL: the endpoint goes and the address is
 *    released; a DEL again for the gone container succeeds;
 *  - the agent down (killed): podman run fails with the plugin's error, no veth and no attachment;
 *  - a container re-created with the same name gets its address back (sticky key from K8S_POD_NAME);
 *  - a container whose runtime died without DEL (processes killed, its namespace gone as after a reboot)
 *    is found by the leak check as container_gone naming the CNI container id, listed by
 *    `yardctl ipam check`, released by `yardctl ipam release`.
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { AGENT_LAUNCHER, agentCniSocket } from "@switchyard/lab";
import { exec } from "@switchyard/netops";
import * as testkit from "@switchyard/netops/testkit";
import {
  type AddressHistory,
  type Attachment,
  cniResult100Schema,
  type LeakFinding,
  type LeakList,
} from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invoke, loggedIn } from "../../cli/test/helpers";
import { type Scenario, startScenario } from "./support/lab-plane";
import { hostLinks } from "./support/net-checks";
import { type PodmanHosts, startPodmanHosts } from "./support/podman";

const SUBNET = "10.78.0.0/24";
const NET = "cninet";
let s: Scenario | undefined;
let pm: PodmanHosts | undefined;
const S = () => {
  if (!s) throw new Error("no scenario");
  return s;
};
const P = () => {
  if (!pm) throw new Error("no podman");
  return pm;
};
const cniName = () => `${S().lab.state.prefix}-net`;
const ids: Record<string, string> = {};
const att: Record<string, Attachment> = {};

const yard = (...argv: string[]) =>
  invoke(argv, {
    config: { ...loggedIn, url: S().plane.url, token: S().adminToken },
    fetch: globalThis.fetch,
  });

/** The live attachment of a podman container (by its CNI container id). */
const attachmentOf = async (host: string, containerId: string): Promise<Attachment> =>
  testkit.waitFor(`attachment of ${containerId.slice(0, 12)}`, 20_000, async () => {
    const list = await S().api.attachments({ host: S().hostName(host) });
    return (
      list.find((a) => a.reason === `CNI ADD of container ${containerId}` && a.status === "applied") ?? null
    );
  });

/** Runs the installed plugin as a runtime does (env + stdin) against a host's agent. */
function plugin(host: string, env: Record<string, string>, config: Record<string, unknown>) {
  return new Promise<{ stdout: string; code: number | null }>((resolve, reject) => {
    const child = spawn(join(P().binDir, "switchyard"), [], {
      // Only what a runtime passes (Next's types make NODE_ENV a required key of ProcessEnv).
      env: { PATH: process.env.PATH ?? "", ...env } as unknown as NodeJS.ProcessEnv,
    });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, code }));
    child.stdin.end(
      JSON.stringify({
        cniVersion: "1.0.0",
        name: cniName(),
        type: "switchyard",
        network: NET,
        agentSocket: agentCniSocket(S().lab.state, host),
        ...config,
      }),
    );
  });
}

const inspect = async (host: string, name: string) =>
  JSON.parse((await P().podman(host, ["inspect", name])).stdout)[0] as {
    Id: string;
    State: { Pid: number; ConmonPid: number };
    NetworkSettings: { Networks: Record<string, { IPAddress: string; MacAddress: string }> };
  };

beforeAll(async () => {
  s = await startScenario({
    hosts: 2,
    prefixBase: "yc",
    // podman's namespaces are netns-*; the agents report those (and serve the plugin).
    agentArgs: ["--poll-interval", "500ms", "--log-level", "debug", "--netns-prefix", "netns-"],
    agentLaunch: async (lab) => {
      pm = await startPodmanHosts(lab, join(lab.state.dir, "podman"));
      return { wrapper: pm.wrapper, cni: true };
    },
    env: { LEAK_CHECK_INTERVAL: "1s", LEAK_GRACE: "1s" },
  });
  await s.api.request("POST", "/api/v1/pools", { name: NET, cidr: SUBNET, cooldownSeconds: 300 });
  await s.api.createNetwork({
    name: NET,
    driver: "ovs",
    subnet: SUBNET,
    vlan: 100,
    bridgeName: "ovs0",
    uplink: "eth1",
  });
  for (const h of s.lab.state.hosts) {
    const out = await exec([
      process.execPath,
      AGENT_LAUNCHER,
      "install-cni",
      "--bin-dir",
      P().binDir,
      "--conf-dir",
      P().confDir(h.name),
      "--name",
      cniName(),
      "--network",
      NET,
      "--cni-socket",
      agentCniSocket(s.lab.state, h.name),
    ]);
    expect(out.stdout).toContain(`wrote ${join(P().binDir, "switchyard")}`);
  }
}, 180_000);

afterAll(async () => {
  await pm?.close();
  await s?.close();
});

describe("CNI with podman", () => {
  it("two containers on two hosts: addresses from their hosts' blocks, reported by podman, they ping", async () => {
    ids.c1 = await P().run("h1", "c1", cniName());
    ids.c2 = await P().run("h2", "c2", cniName());
    att.c1 = await attachmentOf("h1", ids.c1);
    att.c2 = await attachmentOf("h2", ids.c2);
    expect(att.c1).toMatchObject({ networkName: NET, ifname: "eth0", stickyKey: "pod:c1" });
    expect(att.c1.container.runtime).toBe("netns");
    expect(att.c1.container.ref).toMatch(/^netns-/);
    // Each host's own block: different /28s of the pool.
    expect(att.c1.address).not.toBe(att.c2.address);
    // podman parsed our CNI result: the address and the MAC it shows are the attachment's.
    const c1 = await inspect("h1", "c1");
    const seen = Object.values(c1.NetworkSettings.Networks)[0];
    expect(seen?.IPAddress).toBe(att.c1.address);
    expect(seen?.MacAddress).toMatch(/^02:/);
    const ping = await P().podman("h1", ["exec", "c1", "ping", "-c", "2", "-W", "2", att.c2.address]);
    expect(ping.stdout).toMatch(/2 packets received/);
  });

  it("CHECK through the installed plugin; podman rm is a DEL: endpoint gone, address released; DEL again is fine", async () => {
    const c2 = att.c2 as Attachment;
    const env = (command: string) => ({
      CNI_COMMAND: command,
      CNI_CONTAINERID: ids.c2 ?? "",
      CNI_NETNS: `/run/netns/${c2.container.ref}`,
      CNI_IFNAME: "eth0",
      CNI_PATH: P().binDir,
    });
    const prevResult = { cniVersion: "1.0.0", ips: [{ address: `${c2.address}/${c2.prefixLength}` }] };
    expect(await plugin("h2", env("CHECK"), { prevResult })).toEqual({ stdout: "", code: 0 });
    const status = await plugin("h2", { CNI_COMMAND: "STATUS" }, { cniVersion: "1.1.0" });
    expect(status.code).toBe(0);

    await P().podman("h2", ["rm", "--force", "--time", "0", "c2"]);
    const history = (await S().api.request(
      "GET",
      `/api/v1/ipam/history?pool=${NET}&address=${c2.address}`,
    )) as AddressHistory;
    expect(history.allocations.every((a) => a.releasedAt !== null)).toBe(true);
    const after = (await S().api.attachments({ host: S().hostName("h2"), all: "true" })).find(
      (a) => a.id === c2.id,
    );
    expect(after?.status).toBe("detached");
    expect((await hostLinks(S().lab, "h2")).some((l) => l.name === c2.hostIfname)).toBe(false);
    // The container is gone; a runtime's retried DEL still succeeds.
    expect(await plugin("h2", env("DEL"), {})).toEqual({ stdout: "", code: 0 });
  });

  it("the agent down: podman run fails with the plugin's error and nothing is made; back once it is up", async () => {
    await S().lab.stopAgent("h2", "SIGKILL");
    const before = await S().api.attachments({ host: S().hostName("h2") });
    const failed = await P()
      .run("h2", "c3", cniName())
      .then(
        () => null,
        (error: unknown) => error as Error,
      );
    expect(failed?.message).toMatch(/Switchyard agent is not running on this host/);
    expect((await hostLinks(S().lab, "h2")).filter((l) => /^sy[0-9a-f]{8}h$/.test(l.name))).toEqual([]);
    expect(await S().api.attachments({ host: S().hostName("h2") })).toEqual(before);
    await P()
      .podman("h2", ["rm", "--force", "--time", "0", "c3"])
      .catch(() => undefined);
    await S().restartAgent("h2");
    await S().api.waitHostReady(S().hostName("h2"), 30_000);
  });

  it("a container re-created with the same name gets its address back", async () => {
    const before = att.c1 as Attachment;
    await P().podman("h1", ["rm", "--force", "--time", "0", "c1"]);
    ids.c1 = await P().run("h1", "c1", cniName());
    att.c1 = await attachmentOf("h1", ids.c1);
    expect(att.c1.id).not.toBe(before.id);
    expect(att.c1.address).toBe(before.address);
    // And an ADD through the plugin answers a result the spec's schema accepts (a second interface).
    const c1 = att.c1;
    const add = await plugin(
      "h1",
      {
        CNI_COMMAND: "ADD",
        CNI_CONTAINERID: ids.c1,
        CNI_NETNS: `/run/netns/${c1.container.ref}`,
        CNI_IFNAME: "eth9",
        CNI_PATH: P().binDir,
      },
      {},
    );
    expect(add.code).toBe(0);
    const result = cniResult100Schema.parse(JSON.parse(add.stdout));
    expect(result.interfaces?.at(-1)).toMatchObject({
      name: "eth9",
      sandbox: `/run/netns/${c1.container.ref}`,
    });
    const del = await plugin(
      "h1",
      {
        CNI_COMMAND: "DEL",
        CNI_CONTAINERID: ids.c1,
        CNI_NETNS: "",
        CNI_IFNAME: "eth9",
        CNI_PATH: P().binDir,
      },
      {},
    );
    expect(del).toEqual({ stdout: "", code: 0 });
  });

  it("a runtime that died without DEL: container_gone naming the CNI container, listed and released by yardctl", async () => {
    const c1 = att.c1 as Attachment;
    const info = await inspect("h1", "c1");
    for (const pid of [info.State.ConmonPid, info.State.Pid]) process.kill(pid, "SIGKILL");
    // What a reboot does to /run: the pinned namespace is gone (and with it the container's veth).
    await P().inMountNamespace(["umount", `/run/netns/${c1.container.ref}`]);
    await P().inMountNamespace(["rm", "-f", `/run/netns/${c1.container.ref}`]);
    const finding = await testkit.waitFor("container_gone finding", 30_000, async () => {
      await S().plane.leakJobs.checkNow();
      const list = (await S().api.request("GET", "/api/v1/leaks")) as LeakList;
      return (
        list.findings.find((f: LeakFinding) => f.kind === "container_gone" && f.address === c1.address) ??
        null
      );
    });
    expect(finding).toMatchObject({ hostName: S().hostName("h1"), container: `netns:${c1.container.ref}` });
    expect(finding.evidence.detail).toContain(`CNI container ${ids.c1}, no DEL received`);
    const check = await yard("ipam", "check");
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(c1.address);
    const released = await yard("ipam", "release", c1.address, "--pool", NET, "--reason", "runtime crashed");
    expect(released.stderr).toBe("");
    expect(released.stdout).toMatch(/^Released .*container_gone/);
  });
});
