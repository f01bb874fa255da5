/**
 * batchingExec against the real `ip`: changes go through one `ip -batch` per namespace (the test's own
 * named namespace, and a second one reached through `nsenter --net=`), errors carry ip's own text and
 * belong to the command that failed, and `ip -j` (spawned) is the oracle. Root only.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Exec, ExecError, exec } from "../src/exec";
import { batchingExec } from "../src/ip-batch";
import { createNetns, type NetnsHandle, requirePrerequisites, runPrefix, waitFor } from "../src/testkit";

const prefix = runPrefix("syb");
const cleanups: (() => Promise<void>)[] = [];
let host: NetnsHandle;
let con: NetnsHandle;
const spawned: string[] = [];
const recording: Exec = (argv, options) => {
  spawned.push(argv.join(" "));
  return exec(argv, options);
};
const batch = batchingExec(recording, {
  idleMs: 60_000,
  maxAgeMs: 60_000,
  containers: true,
  containerIdleMs: 60_000,
});

const links = async (ns: string) =>
  JSON.parse((await exec(["ip", "-n", ns, "-j", "link", "show"])).stdout) as {
    ifname: string;
    master?: string;
    flags: string[];
  }[];

beforeAll(async () => {
  await requirePrerequisites({ root: true, programs: { ip: "iproute2", nsenter: "util-linux" } });
  host = await createNetns(`${prefix}-h`);
  cleanups.push(() => host.remove());
  con = await createNetns(`${prefix}-c`);
  cleanups.push(() => con.remove());
  cleanups.push(async () => batch.close());
}, 30_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => console.error(e));
});

describe("batchingExec", () => {
  it("makes changes in a named namespace through one ip -batch, none spawned", async () => {
    const inHost = { netns: host.name };
    await batch(["ip", "link", "add", "br0", "type", "bridge"], inHost);
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        batch(
          ["ip", "link", "add", `v${i}a`, "master", "br0", "up", "type", "veth", "peer", "name", `v${i}b`],
          inHost,
        ),
      ),
    );
    await batch(["ip", "link", "set", "br0", "up"], inHost);
    const got = await links(host.name);
    expect(
      got
        .filter((l) => l.master === "br0")
        .map((l) => l.ifname)
        .sort(),
    ).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}a`).sort());
    expect(got.find((l) => l.ifname === "br0")?.flags).toContain("UP");
    expect(spawned).toEqual([]);
    expect(batch.sessions()).toBe(1);
  });

  it("a failing change rejects with ip's own error; the next change still works", async () => {
    const inHost = { netns: host.name };
    const failed = await batch(
      ["ip", "link", "add", "v0a", "type", "veth", "peer", "name", "x0"],
      inHost,
    ).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(ExecError);
    expect((failed as ExecError).stderr).toBe("RTNETLINK answers: File exists\n");
    expect((failed as ExecError).message).toBe(
      "ip link add v0a type veth peer name x0 exited 2: RTNETLINK answers: File exists",
    );
    await batch(["ip", "addr", "add", "10.99.0.1/24", "dev", "br0"], inHost);
    const addr = await exec(["ip", "-n", host.name, "-j", "addr", "show", "dev", "br0"]);
    expect(addr.stdout).toContain('"local":"10.99.0.1"');
  });

  it("reaches another namespace through nsenter --net=PATH, in a session of its own", async () => {
    const inside = ["nsenter", `--net=/run/netns/${con.name}`, "--"];
    await batch(["ip", "link", "set", `v3b`, "netns", `/run/netns/${con.name}`], { netns: host.name });
    await batch([...inside, "ip", "link", "set", "v3b", "name", "eth1"]);
    await batch([...inside, "ip", "addr", "add", "10.99.0.2/24", "dev", "eth1"]);
    await batch([...inside, "ip", "link", "set", "eth1", "up"]);
    const got = await links(con.name);
    expect(got.find((l) => l.ifname === "eth1")?.flags).toContain("UP");
    expect(batch.sessions()).toBe(2);
    const failed = await batch([...inside, "ip", "addr", "add", "10.99.0.2/24", "dev", "eth1"]).catch(
      (e) => e,
    );
    expect((failed as ExecError).message).toMatch(
      new RegExp(
        `^nsenter --net=/run/netns/${con.name} -- ip addr add 10.99.0.2/24 dev eth1 exited 2: Error: ipv4: Address already assigned\\.$`,
      ),
    );
  });

  it("moves a link into a process's namespace by PID, so the namespace still dies with its process", async () => {
    // A process alone in a fresh namespace, as a container's init is.
    const sleeper = spawn("unshare", ["-n", "sleep", "60"], { stdio: "ignore" });
    cleanups.push(async () => {
      sleeper.kill("SIGKILL");
    });
    const pid = sleeper.pid as number;
    await waitFor("the sleeper in its own namespace", 5_000, async () => {
      const [mine, its] = await Promise.all([
        exec(["readlink", "/proc/self/ns/net"]),
        exec(["readlink", `/proc/${pid}/ns/net`]).catch(() => null),
      ]);
      return its !== null && its.stdout !== mine.stdout;
    });
    spawned.length = 0;
    const inHost = { netns: host.name };
    await batch(
      ["ip", "link", "add", "w9a", "type", "veth", "peer", "name", "w9b", "netns", `/proc/${pid}/ns/net`],
      inHost,
    );
    expect(spawned).toEqual([]);
    expect((await links(host.name)).some((l) => l.ifname === "w9a")).toBe(true);
    // ip keeps open the file `netns FILE` names: with it, the batch would keep the namespace, and the
    // veth, alive after its process is gone.
    sleeper.kill("SIGKILL");
    await waitFor("the veth to go with the namespace", 5_000, async () =>
      (await links(host.name)).some((l) => l.ifname === "w9a") ? null : true,
    );
    expect(batch.sessions()).toBeGreaterThan(0);
    // A named namespace has no PID: spawned.
    await batch(["ip", "link", "add", "w8a", "type", "veth"], inHost);
    await batch(["ip", "link", "set", "w8a", "netns", `/run/netns/${con.name}`], inHost);
    expect(spawned).toEqual([`ip link set w8a netns /run/netns/${con.name}`]);
  });

  it("spawns what a batch cannot carry: reads with options, odd arguments, other programs", async () => {
    spawned.length = 0;
    await batch(["ip", "-j", "link", "show"], { netns: host.name });
    expect((await batch(["ip", "link", "show", "br0"], { netns: host.name })).stdout).toContain("br0");
    await batch(["ip", "link", "set", "br0", "alias", "has space"], { netns: host.name });
    await batch(["true"]);
    expect(spawned).toEqual([
      "ip -j link show",
      "ip link show br0",
      "ip link set br0 alias has space",
      "true",
    ]);
  });
});
