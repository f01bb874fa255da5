/**
 * A real CNI client for scenario tests: podman 4.3 with its CNI backend, on the hosts of a lab
 * (../../../shared/ENVIRONMENT.md, "A real CNI client"). Podman pins each container's namespace under
 * /run/netns, so it and the lab's agents run in one private mount namespace of the test's own (a holder
 * process), whose /run/netns is a tmpfs holding only the lab's host namespaces (bound in) and podman's:
 * nothing podman makes is visible outside. Each lab host gets its own podman configuration (vfs storage,
 * cgroupfs, events to a file, the test's plugin and config directories); containers run a rootfs
 * directory of busybox-static. Everything goes in close(): containers, the holder (by PID), the files.
 */
import { spawn } from "node:child_process";
import { copyFile, mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Lab } from "@switchyard/lab";
import { type ExecResult, exec } from "@switchyard/netops";
import * as testkit from "@switchyard/netops/testkit";

/** runc cannot raise limits here (no CAP_SYS_RESOURCE): every container gets these instead of podman's. */
const ULIMITS = ["--ulimit", "nofile=20000:20000", "--ulimit", "nproc=4096:4096"] as const;

export interface PodmanHosts {
  /** Prefix of the agents' argv: `nsenter -t HOLDER -m --` (they must see podman's namespaces). */
  wrapper: readonly string[];
  /** The plugin directory every host's podman uses (install-cni writes into it). */
  binDir: string;
  /** A lab host's CNI config directory. */
  confDir(host: string): string;
  /** Runs podman as that lab host's runtime (in the host's network namespace, in the private mount namespace). */
  podman(host: string, args: readonly string[], timeoutMs?: number): Promise<ExecResult>;
  /** `podman run -d` of a sleeping busybox on a CNI network; resolves the container id. */
  run(host: string, name: string, network: string): Promise<string>;
  /** Runs a command in the private mount namespace (e.g. to unmount a container's namespace). */
  inMountNamespace(argv: readonly string[]): Promise<ExecResult>;
  close(): Promise<void>;
}

export async function startPodmanHosts(lab: Lab, dir: string): Promise<PodmanHosts> {
  await testkit.requirePrerequisites({
    root: true,
    programs: {
      podman: "podman",
      runc: "runc",
      conmon: "conmon",
      unshare: "util-linux",
      nsenter: "util-linux",
      busybox: "busybox-static",
    },
  });
  const hosts = lab.state.hosts;
  const cleanups: (() => Promise<unknown>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const rootfs = join(dir, "rootfs");
    await mkdir(join(rootfs, "bin"), { recursive: true });
    for (const d of ["etc", "proc", "sys", "dev", "tmp"]) await mkdir(join(rootfs, d), { recursive: true });
    const busybox = await testkit.findProgram("busybox");
    if (!busybox) throw new Error("busybox not found: apt-get install busybox-static");
    await copyFile(busybox, join(rootfs, "bin", "busybox"));
    for (const applet of ["sh", "sleep", "ping", "ip", "cat"])
      await symlink("busybox", join(rootfs, "bin", applet));

    // The holder: `unshare` execs sleep, so the PID is the namespace's owner; it dies in close().
    const holder = spawn("unshare", ["--mount", "--propagation", "private", "--", "sleep", "86400"], {
      detached: true,
      stdio: "ignore",
    });
    holder.unref();
    const pid = holder.pid;
    if (!pid) throw new Error("unshare did not start");
    cleanups.push(() => testkit.stopPid(pid));
    const wrapper = ["nsenter", "-t", String(pid), "-m", "--"] as const;
    const inMountNamespace = (argv: readonly string[]) => exec([...wrapper, ...argv], { timeoutMs: 20_000 });
    const mountNs = async (p: string) => (await exec(["readlink", `/proc/${p}/ns/mnt`])).stdout.trim();
    const own = await mountNs("self");
    await testkit.waitFor("private mount namespace", 5_000, async () =>
      (await mountNs(String(pid))) !== own ? true : null,
    );
    // The lab's host namespaces survive the tmpfs: bound aside, then back into it.
    const stash = join(dir, "stash");
    await mkdir(stash);
    for (const h of hosts) {
      await writeFile(join(stash, h.netns), "");
      await inMountNamespace(["mount", "--bind", `/run/netns/${h.netns}`, join(stash, h.netns)]);
    }
    await inMountNamespace(["mount", "-t", "tmpfs", "-o", "mode=0755", "tmpfs", "/run/netns"]);
    for (const h of hosts) {
      await inMountNamespace(["touch", `/run/netns/${h.netns}`]);
      await inMountNamespace(["mount", "--bind", join(stash, h.netns), `/run/netns/${h.netns}`]);
    }

    const binDir = join(dir, "cni-bin");
    await mkdir(binDir);
    const hostDir = (host: string) => join(dir, host);
    for (const h of hosts) {
      const d = hostDir(h.name);
      for (const sub of ["net.d", "tmp", "static", "graph", "runroot"])
        await mkdir(join(d, sub), { recursive: true });
      await writeFile(
        join(d, "containers.conf"),
        [
          "[engine]",
          'runtime = "runc"',
          'cgroup_manager = "cgroupfs"',
          'events_logger = "file"',
          `events_logfile_path = "${join(d, "events.log")}"`,
          `tmp_dir = "${join(d, "tmp")}"`,
          `static_dir = "${join(d, "static")}"`,
          "[network]",
          'network_backend = "cni"',
          `cni_plugin_dirs = ["${binDir}"]`,
          `network_config_dir = "${join(d, "net.d")}"`,
          "",
        ].join("\n"),
      );
      const storage = [
        "[storage]",
        'driver = "vfs"',
        `graphroot = "${join(d, "graph")}"`,
        `runroot = "${join(d, "runroot")}"`,
      ];
      await writeFile(join(d, "storage.conf"), `${storage.join("\n")}\n`);
    }
    const netnsOf = (host: string) => {
      const h = hosts.find((x) => x.name === host);
      if (!h) throw new Error(`no lab host ${host}`);
      return h.netns;
    };
    const podman = (host: string, args: readonly string[], timeoutMs = 60_000) => {
      const d = hostDir(host);
      const argv = [...wrapper.slice(0, -1), `--net=/run/netns/${netnsOf(host)}`, "--", "podman", ...args];
      const env = {
        ...process.env,
        CONTAINERS_CONF: join(d, "containers.conf"),
        CONTAINERS_STORAGE_CONF: join(d, "storage.conf"),
      };
      return exec(argv, { timeoutMs, env });
    };
    // The ulimits come before --rootfs: its first argument is the rootfs, the rest the command.
    const run = async (host: string, name: string, network: string) =>
      (
        await podman(host, [
          "run",
          "-d",
          "--name",
          name,
          "--network",
          network,
          ...ULIMITS,
          "--rootfs",
          rootfs,
          "sleep",
          "86400",
        ])
      ).stdout.trim();
    // Before the holder goes: every container of every host (their DELs reach the agents if still up).
    cleanups.push(async () => {
      for (const h of hosts)
        await podman(h.name, ["rm", "--all", "--force", "--time", "0"]).catch(() => undefined);
    });
    return {
      wrapper,
      binDir,
      confDir: (host) => join(hostDir(host), "net.d"),
      podman,
      run,
      inMountNamespace,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
