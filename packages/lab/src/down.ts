import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { DockerClient, type Exec, exec as realExec } from "@switchyard/netops";
import * as testkit from "@switchyard/netops/testkit";
import { labDir, loadState } from "./state";

async function unmountUnder(dir: string, exec: Exec): Promise<void> {
  const mountinfo = await readFile("/proc/self/mountinfo", "utf8").catch(() => "");
  const points = mountinfo
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => p !== undefined && (p === dir || p.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of points) await exec(["umount", "-l", point]).catch(() => {});
}

async function namespacesWithPrefix(prefix: string, exec: Exec): Promise<string[]> {
  const { stdout } = await exec(["ip", "-j", "netns", "list"]).catch(() => ({ stdout: "[]" }));
  const list = JSON.parse(stdout.trim() || "[]") as { name: string }[];
  return list.map((n) => n.name).filter((n) => n.startsWith(`${prefix}-`));
}

async function stopDocker(
  docker: { dir: string; socketPath: string; pid: number },
  exec: Exec,
): Promise<void> {
  const client = new DockerClient(docker.socketPath, 2_000);
  if (await client.ping()) {
    const ids = (await client.listContainers().catch(() => [])).map((c) => c.Id);
    if (ids.length > 0)
      await exec(["docker", "-H", `unix://${docker.socketPath}`, "rm", "-f", ...ids], {
        timeoutMs: 60_000,
      }).catch(() => {});
  }
  await testkit.stopPid(docker.pid, 20_000);
  const containerd = await testkit.readPidFile(join(docker.dir, "exec", "containerd", "containerd.pid"));
  if (containerd !== null) await testkit.stopPid(containerd);
}

/**
 * Removes every trace of a lab: processes by PID (agents, dockerd and containerd, OVS daemons, anything
 * still running inside the lab's namespaces), the namespaces (their links go with them), mounts and the
 * lab directory. Idempotent; works from the state file, and without it from the namespace prefix.
 */
export async function destroyLab(prefix: string, exec: Exec = realExec): Promise<string[]> {
  const done: string[] = [];
  const state = await loadState(prefix);
  for (const pid of [...(state?.pids ?? []), ...(state?.hosts.map((h) => h.agentPid) ?? [])]) {
    if (pid) await testkit.stopPid(pid).then(() => done.push(`process ${pid}`));
  }
  if (state?.docker) {
    await stopDocker(state.docker, exec);
    done.push(`dockerd ${state.docker.pid}`);
  }
  for (const host of state?.hosts ?? []) {
    if (!host.ovs) continue;
    const fromFiles = [
      await testkit.readPidFile(join(host.ovs.dir, "vswitchd.pid")),
      await testkit.readPidFile(join(host.ovs.dir, "ovsdb.pid")),
    ];
    for (const pid of new Set([host.ovs.vswitchdPid, host.ovs.ovsdbPid, ...fromFiles])) {
      if (pid) await testkit.stopPid(pid);
    }
    done.push(`ovs of ${host.name}`);
  }
  const namespaces = new Set([...(state?.namespaces ?? []), ...(await namespacesWithPrefix(prefix, exec))]);
  for (const ns of namespaces) {
    const pids = await exec(["ip", "netns", "pids", ns]).catch(() => ({ stdout: "" }));
    for (const pid of pids.stdout.split("\n").map((s) => Number.parseInt(s, 10))) {
      if (Number.isInteger(pid) && pid > 0) await testkit.stopPid(pid, 2_000);
    }
    await exec(["ip", "netns", "delete", ns]).catch(() => {});
    done.push(`netns ${ns}`);
  }
  const dir = state?.dir ?? labDir(prefix);
  await unmountUnder(dir, exec);
  await rm(dir, { recursive: true, force: true });
  return done;
}
