/**
 * The Docker container cache against a private dockerd (per-run namespace, offline busybox image), with
 * the docker CLI as the oracle: it follows starts, restarts (a new PID) and removals from the event
 * stream, and answers inspect/list from memory. Root only; missing prerequisites fail, never skip.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { DockerClient } from "../src/docker";
import { DockerContainerCache } from "../src/docker-cache";
import {
  buildBusyboxImage,
  createNetns,
  type PrivateDockerd,
  requirePrerequisites,
  runPrefix,
  startPrivateDockerd,
  waitFor,
} from "../src/testkit";

const prefix = runPrefix("sydc");
const cleanups: (() => Promise<void>)[] = [];
let dockerd: PrivateDockerd;
let image: string;

beforeAll(async () => {
  await requirePrerequisites({
    root: true,
    programs: { ip: "iproute2", dockerd: "docker.io", docker: "docker.io", tar: "tar" },
  });
  const host = await createNetns(`${prefix}-host`);
  cleanups.push(() => host.remove());
  dockerd = await startPrivateDockerd({ name: prefix, netns: host.name });
  cleanups.push(() => dockerd.stop());
  image = await buildBusyboxImage({ docker: dockerd.docker, tag: `${prefix}box:1` });
}, 120_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => console.error(e));
}, 60_000);

describe("DockerContainerCache", () => {
  it("follows start, restart and removal by events and answers from memory", async () => {
    const name = `${prefix}c1`;
    const before = await dockerd.docker([
      "run",
      "-d",
      "--network",
      "none",
      "--name",
      `${prefix}c0`,
      image,
      "sleep",
      "100000",
    ]);
    const changed: string[] = [];
    const cache = new DockerContainerCache(dockerd.socketPath, {
      onChange: (ids) => changed.push(...ids),
    });
    cleanups.push(async () => cache.stop());
    await cache.start();
    expect(cache.synced).toBe(true);
    // A container that existed before the cache started comes from the initial listing.
    expect(cache.cached().map((c) => c.id)).toEqual([before.trim()]);

    const id = (
      await dockerd.docker(["run", "-d", "--network", "none", "--name", name, image, "sleep", "100000"])
    ).trim();
    const pid = await dockerd.containerPid(name);
    await waitFor("the cache to see the new container running", 10_000, async () =>
      cache.cached().some((c) => c.id === id && c.pid === pid),
    );
    expect(changed).toContain(id);

    const api = vi.spyOn(DockerClient.prototype, "inspect");
    const listApi = vi.spyOn(DockerClient.prototype, "listContainers");
    try {
      expect(await cache.inspect(name)).toEqual({
        Id: id,
        Name: `/${name}`,
        State: { Status: "running", Running: true, Pid: pid },
      });
      expect((await cache.inspect(id.slice(0, 12)))?.Id).toBe(id);
      expect((await cache.listContainers()).map((c) => c.Names[0]).sort()).toEqual([
        `/${prefix}c0`,
        `/${name}`,
      ]);
      expect(api).not.toHaveBeenCalled();
      expect(listApi).not.toHaveBeenCalled();
    } finally {
      api.mockRestore();
      listApi.mockRestore();
    }

    await dockerd.docker(["restart", "-t", "0", name]);
    const newPid = await dockerd.containerPid(name);
    expect(newPid).not.toBe(pid);
    await waitFor("the cache to see the new PID", 10_000, async () =>
      cache.cached().some((c) => c.id === id && c.pid === newPid),
    );
    expect((await cache.inspect(name))?.State.Pid).toBe(newPid);

    await dockerd.docker(["stop", "-t", "0", `${prefix}c0`]);
    await waitFor("the cache to see c0 exited", 10_000, async () =>
      cache.cached().some((c) => c.name === `${prefix}c0` && c.state === "exited" && c.pid === null),
    );

    await dockerd.docker(["rm", "-f", name]);
    await waitFor("the cache to forget the removed container", 10_000, async () =>
      cache.cached().every((c) => c.id !== id),
    );
    expect(await cache.inspect(name)).toBeNull();
  });
});
