import { spawn } from "node:child_process";
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DockerClient } from "../docker";
import { type Exec, exec as realExec } from "../exec";
import { isAlive, readPidFile, sleep, stopPid, waitFor } from "./process";

export interface PrivateDockerd {
  dir: string;
  /** Path of the daemon's unix socket (the agent's `--docker-socket`). */
  socketPath: string;
  /** `unix://...`, for `docker -H`. */
  host: string;
  pid: number;
  client: DockerClient;
  /** Runs the docker CLI against this daemon: `docker -H unix://... ARGS`; resolves stdout. */
  docker(args: readonly string[], timeoutMs?: number): Promise<string>;
  /** PID of a running container's init (`docker inspect -f {{.State.Pid}}`). */
  containerPid(ref: string): Promise<number>;
  /** Removes every container, stops the daemon by its PID, unmounts leftovers and removes `dir`. */
  stop(): Promise<void>;
}

export interface StartPrivateDockerdOptions {
  /** Short unique name (per-run prefix); used for containerd namespaces. */
  name: string;
  /** Working directory (data root, exec root, socket, logs); a fresh temp directory when omitted. */
  dir?: string;
  /** Run the daemon inside this named network namespace (default: the current one). */
  netns?: string;
  /** Docker CLI program (default `docker`). */
  dockerCli?: string;
  /** Storage driver (default `vfs`: no mounts, works on any filesystem; fine for tiny images). */
  storageDriver?: string;
  exec?: Exec;
  startTimeoutMs?: number;
}

async function unmountUnder(dir: string, exec: Exec): Promise<void> {
  let mountinfo: string;
  try {
    mountinfo = await readFile("/proc/self/mountinfo", "utf8");
  } catch {
    return;
  }
  const points = mountinfo
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => p !== undefined && (p === dir || p.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await exec(["umount", "-l", point]).catch(() => {});
}

/**
 * Starts a private dockerd (no bridge, no iptables, its own data and exec roots, socket and containerd
 * namespaces) so tests never depend on or disturb a system Docker. No registry is reachable in tests:
 * build images with `buildBusyboxImage`.
 */
export async function startPrivateDockerd(options: StartPrivateDockerdOptions): Promise<PrivateDockerd> {
  const exec = options.exec ?? realExec;
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "sy-dockerd-")));
  await mkdir(dir, { recursive: true });
  const socketPath = join(dir, "docker.sock");
  const host = `unix://${socketPath}`;
  const pidFile = join(dir, "dockerd.pid");
  const configFile = join(dir, "daemon.json");
  await writeFile(configFile, "{}\n");
  const logPath = join(dir, "dockerd.log");
  const log = await open(logPath, "a");
  const dockerdArgv = [
    "dockerd",
    `--config-file=${configFile}`,
    "--bridge=none",
    "--iptables=false",
    "--ip-masq=false",
    "--userland-proxy=false",
    `--host=${host}`,
    `--data-root=${join(dir, "data")}`,
    `--exec-root=${join(dir, "exec")}`,
    `--pidfile=${pidFile}`,
    `--storage-driver=${options.storageDriver ?? "vfs"}`,
    `--containerd-namespace=${options.name}`,
    `--containerd-plugins-namespace=${options.name}-plugins`,
  ];
  // nsenter switches only the network namespace; `ip netns exec` would also remount /sys and hide the
  // cgroup mounts dockerd needs.
  const argv = options.netns ? ["nsenter", `--net=/run/netns/${options.netns}`, ...dockerdArgv] : dockerdArgv;
  const [file, ...args] = argv as [string, ...string[]];
  // A daemon, not a command: the one place exec() (which waits for exit) does not fit.
  const child = spawn(file, args, { detached: true, stdio: ["ignore", log.fd, log.fd] });
  await log.close();
  child.unref();
  let exited: string | null = null;
  child.on("exit", (code, signal) => {
    exited = `dockerd exited (${signal ?? code})`;
  });
  child.on("error", (error) => {
    exited = `dockerd failed to start: ${error.message}`;
  });
  const client = new DockerClient(socketPath);
  const cli = options.dockerCli ?? "docker";
  const docker = async (dockerArgs: readonly string[], timeoutMs = 60_000) =>
    (await exec([cli, "-H", host, ...dockerArgs], { timeoutMs })).stdout;

  const stop = async () => {
    if (await client.ping()) {
      const ids = (await docker(["ps", "-aq"]).catch(() => ""))
        .split("\n")
        .map((s) => s.trim())
        .filter(Boolean);
      // In chunks, each with its own time: one `rm -f` of 500 containers on a loaded machine outlived its
      // 60 s, dockerd was stopped under it and 218 containers' shims (and processes) were left running.
      for (let i = 0; i < ids.length; i += 50)
        await docker(["rm", "-f", ...ids.slice(i, i + 50)], 120_000).catch(() => {});
    }
    const pid = (await readPidFile(pidFile)) ?? child.pid ?? null;
    if (pid !== null) await stopPid(pid, 20_000);
    // nsenter replaces itself with dockerd, so child.pid is normally the same process.
    if (child.pid !== undefined && child.pid !== pid) await stopPid(child.pid);
    const containerdPid = await readPidFile(join(dir, "exec", "containerd", "containerd.pid"));
    if (containerdPid !== null) await stopPid(containerdPid);
    await unmountUnder(dir, exec);
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };

  try {
    await waitFor("the private dockerd to answer", options.startTimeoutMs ?? 60_000, async () => {
      if (exited) {
        const tail = (await readFile(logPath, "utf8").catch(() => "")).split("\n").slice(-15).join("\n");
        throw new Error(`${exited}; log ${logPath}:\n${tail}`);
      }
      return client.ping();
    });
    const pid = (await readPidFile(pidFile)) ?? child.pid;
    if (pid === undefined || !(await isAlive(pid))) throw new Error("dockerd is not running");
    return {
      dir,
      socketPath,
      host,
      pid,
      client,
      docker,
      containerPid: async (ref) => {
        for (let attempt = 0; attempt < 50; attempt++) {
          const inspect = await client.inspect(ref);
          if (inspect?.State.Running && inspect.State.Pid > 0) return inspect.State.Pid;
          await sleep(100);
        }
        throw new Error(`container ${ref} is not running`);
      },
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
