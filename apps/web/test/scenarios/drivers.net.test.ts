/**
 * Every other driver across two hosts, end to end through a real control plane and real agents (root
 * namespace, `--netns P-hN`). The lab is routed (h1's underlay in 10.99.1.0/24, h2's in 10.99.2.0/24
 * behind a router namespace) and has a private dockerd with an image built offline:
 *  - a flat Linux-bridge network (br0 holding eth2): a named-netns container on h1 and a REAL Docker
 *    container on h2, the latter attached with the CLI binary (`yardctl attach --container docker:NAME
 *    --wait`), ping each other;
 *  - a macvlan network (parent eth3): containers on h1 and h2 ping; detach leaves no macvlan behind and
 *    re-attaching works;
 *  - a VXLAN network (VNI 42, tunnel over the routed underlay eth0): containers on h1 and h2, hosts in
 *    different subnets, ping.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { AGENT_LAUNCHER, type LabContainerState } from "@switchyard/lab";
import { exec, hostIfname, vxlanIfname } from "@switchyard/netops";
import { type Attachment, attachmentOperationSchema } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Scenario, startScenario } from "../support/lab-plane";
import { containerLinks, hostLinks, pings, switchyardLinks } from "../support/net-checks";

// The package bin (the bundle, rebuilt by the suite's global setup).
const YARDCTL = resolve(import.meta.dirname, "../../../cli/dist/yardctl.cjs");

let s: Scenario;
let home: string;
/** The flat network's attachments (their veths stay while the macvlan ones come and go). */
let b1: Attachment;
let d1: Attachment;
const c: Record<string, LabContainerState> = {};

const con = (name: string): LabContainerState => {
  const found = c[name];
  if (!found) throw new Error(`no container ${name}`);
  return found;
};

beforeAll(async () => {
  s = await startScenario({ hosts: 2, routed: true, docker: true, prefixBase: "yd" });
  home = await mkdtemp(join(tmpdir(), "sy-scenario-cli-"));
  for (const [name, host] of [
    ["b1", "h1"],
    ["m1", "h1"],
    ["m2", "h2"],
    ["x1", "h1"],
    ["x2", "h2"],
  ] as const) {
    c[name] = await s.lab.addNetnsContainer(host, name);
  }
  c.d1 = await s.lab.addDockerContainer("h2", "d1");
  await s.api.createNetwork({
    name: "flat",
    driver: "bridge",
    subnet: "10.10.103.0/24",
    gateway: "10.10.103.254",
    bridgeName: "br0",
    uplink: "eth2",
  });
  await s.api.createNetwork({ name: "mv", driver: "macvlan", subnet: "10.20.0.0/24", uplink: "eth3" });
  await s.api.createNetwork({
    name: "vx",
    driver: "vxlan",
    subnet: "10.30.0.0/24",
    vni: 42,
    bridgeName: "brvx42",
    uplink: "eth0",
  });
});

afterAll(async () => {
  await s?.close();
  if (home) await rm(home, { recursive: true, force: true });
});

/** Runs the yardctl binary with the admin's API token; resolves exit code and output. */
function yardctl(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [YARDCTL, ...args], {
      env: {
        ...process.env,
        HOME: home,
        XDG_CONFIG_HOME: home,
        YARD_URL: s.plane.url,
        YARD_TOKEN: s.adminToken,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 90_000);
    child.on("error", fail);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

const attach = (name: string, host: string, network: string): Promise<Attachment> =>
  s.api.attachAndWait({
    host: s.hostName(host),
    container: `netns:${con(name).ref}`,
    network,
    ifname: "eth0",
  });

describe("flat Linux bridge across two hosts, one container a real Docker container", () => {
  it("attaches a netns container through the API and a Docker container with yardctl attach --wait", async () => {
    b1 = await attach("b1", "h1", "flat");
    const docker = con("d1").ref;
    const out = await yardctl([
      "attach",
      "--host",
      s.hostName("h2"),
      "--container",
      `docker:${docker}`,
      "--network",
      "flat",
      "--ifname",
      "eth0",
      "--wait",
      "--json",
    ]);
    expect(out.code, `${out.stdout}\n${out.stderr}\n${await s.agentLog("h2", 20)}`).toBe(0);
    const result = attachmentOperationSchema.parse(JSON.parse(out.stdout));
    expect(result.operation.status).toBe("applied");
    expect(result.attachment.container).toEqual({ runtime: "docker", ref: docker });
    d1 = await s.api.attachment(result.attachment.id);
    expect(d1.status).toBe("applied");
    expect(d1.address).not.toBe(b1.address);
  });

  it("the containers ping across hosts; both veth host ends are ports of br0 with eth2", async () => {
    expect(await pings(s.lab, con("b1"), d1.address)).toBe(true);
    expect(await pings(s.lab, con("d1"), b1.address)).toBe(true);
    for (const [host, a] of [
      ["h1", b1],
      ["h2", d1],
    ] as const) {
      const links = await hostLinks(s.lab, host);
      const ports = links.filter((l) => l.master === "br0").map((l) => l.name);
      expect(ports.sort()).toEqual(["eth2", hostIfname(a.id)].sort());
    }
    const inDocker = await containerLinks(s.lab, con("d1"));
    expect(inDocker.map((l) => [l.name, l.kind])).toEqual([["eth0", "veth"]]);
    expect(inDocker[0]?.addresses.map((x) => x.address)).toEqual([d1.address]);
  });
});

describe("inventory of an agent managing its host from outside (--netns)", () => {
  it("reports the host's own links, the lab's containers (Docker ones with their interfaces), never the host namespace", async () => {
    const deadline = Date.now() + 20_000;
    let containers: { name: string; runtime: string; addresses: string[] }[] = [];
    let interfaces: string[] = [];
    while (Date.now() < deadline) {
      const inv = (await s.api.host(s.hostName("h2"))).inventory;
      containers = (inv?.containers ?? []).map((x) => ({
        name: x.name,
        runtime: x.runtime,
        addresses: x.interfaces.flatMap((i) => i.addresses.map((a) => a.address)),
      }));
      interfaces = (inv?.interfaces ?? []).map((i) => i.name);
      if (containers.some((x) => x.runtime === "docker" && x.addresses.includes(d1.address))) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(containers).toContainEqual({ name: con("d1").ref, runtime: "docker", addresses: [d1.address] });
    const named = containers.filter((x) => x.runtime === "netns").map((x) => x.name);
    expect(named).toContain(con("m2").ref);
    expect(named).not.toContain(s.lab.host("h2").netns);
    expect(named.every((n) => n.startsWith(`${s.lab.prefix}-c-`))).toBe(true);
    expect(interfaces).toEqual(expect.arrayContaining(["eth0", "eth1", "eth2", "eth3", hostIfname(d1.id)]));
  });

  it("switchyard-agent --print-inventory --netns leaves out the managed namespace itself, not the others", async () => {
    const h2 = s.lab.host("h2");
    const { stdout } = await exec(
      [
        process.execPath,
        AGENT_LAUNCHER,
        "--print-inventory",
        "--netns",
        h2.netns,
        "--netns-prefix",
        `${s.lab.prefix}-`,
        "--ovs-db",
        h2.ovs?.db as string,
      ],
      { timeoutMs: 30_000 },
    );
    const inv = JSON.parse(stdout) as { namespaces: string[]; ovs: { available: boolean; error: unknown } };
    expect(inv.namespaces).not.toContain(h2.netns);
    expect(inv.namespaces).toEqual(expect.arrayContaining([s.lab.host("h1").netns, con("m2").ref]));
    expect(inv.ovs).toMatchObject({ available: true, error: null });
  });
});

describe("macvlan across two hosts (parent eth3)", () => {
  let m1: Attachment;
  let m2: Attachment;

  it("attaches on both hosts; the containers ping", async () => {
    [m1, m2] = await Promise.all([attach("m1", "h1", "mv"), attach("m2", "h2", "mv")]);
    expect(m1.hostIfname).toBeNull();
    const inside = await containerLinks(s.lab, con("m1"));
    expect(inside.map((l) => [l.name, l.kind])).toEqual([["eth0", "macvlan"]]);
    expect(await pings(s.lab, con("m1"), m2.address)).toBe(true);
    expect(await pings(s.lab, con("m2"), m1.address)).toBe(true);
  });

  it("detach leaves no macvlan behind (host or container); re-attaching works", async () => {
    await s.api.detachAndWait(m1.id);
    expect(await containerLinks(s.lab, con("m1"))).toEqual([]);
    const h1 = await hostLinks(s.lab, "h1");
    expect(h1.filter((l) => l.kind === "macvlan")).toEqual([]);
    expect((await switchyardLinks(s.lab, "h1")).map((l) => l.name)).toEqual([hostIfname(b1.id)]);
    m1 = await attach("m1", "h1", "mv");
    expect(await pings(s.lab, con("m2"), m1.address)).toBe(true);
  });
});

describe("VXLAN across two hosts in different subnets (routed underlay)", () => {
  it("the hosts' underlays are in different subnets", () => {
    expect(s.lab.host("h1").underlay.address).toMatch(/^10\.99\.1\./);
    expect(s.lab.host("h2").underlay.address).toMatch(/^10\.99\.2\./);
  });

  it("attaches on both hosts; VXLAN devices point at the other host; the containers ping", async () => {
    const [x1, x2] = await Promise.all([attach("x1", "h1", "vx"), attach("x2", "h2", "vx")]);
    const ok = await pings(s.lab, con("x1"), x2.address, 8);
    const vx = (await hostLinks(s.lab, "h1")).find((l) => l.name === vxlanIfname(42));
    expect(vx?.kind, "vxlan device on h1").toBe("vxlan");
    expect(vx?.master).toBe("brvx42");
    expect(ok, await s.agentLog("h1", 15)).toBe(true);
    expect(await pings(s.lab, con("x2"), x1.address)).toBe(true);
  });
});
