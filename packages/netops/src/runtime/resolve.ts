import { access } from "node:fs/promises";
import type { ContainerRef } from "@switchyard/protocol";
import type { DockerClient } from "../docker";
import type { NetnsTarget } from "./target";

export interface RuntimeDeps {
  /** Needed for runtime "docker" refs. */
  docker?: DockerClient | undefined;
  /** Where named namespaces live (`ip netns` keeps them in /run/netns). */
  netnsDir?: string;
}

export class ContainerNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContainerNotFoundError";
  }
}

const NETNS_NAME = /^[A-Za-z0-9_.-]+$/;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function resolveNamed(name: string, dir: string): Promise<NetnsTarget> {
  if (!NETNS_NAME.test(name) || name === "." || name === "..") {
    throw new ContainerNotFoundError(`invalid network namespace name ${JSON.stringify(name)}`);
  }
  const path = `${dir}/${name}`;
  if (!(await exists(path)))
    throw new ContainerNotFoundError(`network namespace ${name} not found (${path})`);
  return { path, label: `netns ${name}` };
}

async function resolveDocker(ref: string, docker: DockerClient | undefined): Promise<NetnsTarget> {
  if (!docker) throw new ContainerNotFoundError(`docker container ${ref}: no Docker daemon configured`);
  const info = await docker.inspect(ref);
  if (!info) throw new ContainerNotFoundError(`docker container ${ref} not found`);
  if (!info.State.Running || info.State.Pid <= 0) {
    throw new ContainerNotFoundError(`docker container ${ref} is not running (${info.State.Status})`);
  }
  const path = `/proc/${info.State.Pid}/ns/net`;
  return { path, label: `docker container ${ref} (pid ${info.State.Pid})` };
}

/** The network namespace of a Docker container (via its PID) or of a named namespace. */
export function resolveContainer(container: ContainerRef, deps: RuntimeDeps): Promise<NetnsTarget> {
  return container.runtime === "docker"
    ? resolveDocker(container.ref, deps.docker)
    : resolveNamed(container.ref, deps.netnsDir ?? "/run/netns");
}
