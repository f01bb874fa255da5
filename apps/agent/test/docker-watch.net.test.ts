import { mkdtemp, rm } from "node:fs/promises";
import * as testkit from "@switchyard/netops/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { startDockerWatch } from "../src/docker-watch";
import { createLogger } from "../src/logger";

// Root: a private dockerd of this run's own, in a namespace of its own, as in the inventory test.
const prefix = testkit.runPrefix("sydw");
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
});

describe("docker watch", () => {
  it("hears a container started and removed, and follows a daemon that was absent at first", async () => {
    const host = await testkit.createNetns(`${prefix}-host`);
    cleanups.push(() => host.remove());
    const dir = await mkdtemp("/tmp/sy-docker-watch-");
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const socketPath = `${dir}/docker.sock`;

    let changes = 0;
    const watch = startDockerWatch({
      socketPath,
      onChange: () => {
        changes += 1;
      },
      logger: createLogger({ level: "error", write: () => {} }),
    });
    cleanups.push(async () => watch.stop());

    // The daemon starts after the watch: the watch keeps trying and follows it once it is up.
    const dockerd = await testkit.startPrivateDockerd({ name: prefix, netns: host.name, dir });
    cleanups.push(() => dockerd.stop());
    expect(dockerd.socketPath).toBe(socketPath);
    const image = await testkit.buildBusyboxImage({ docker: dockerd.docker, tag: `${prefix}box:1` });
    await new Promise((r) => setTimeout(r, 6_000)); // past the watch's retry delay
    const before = changes;
    await dockerd.docker([
      "run",
      "-d",
      "--network",
      "none",
      "--name",
      `${prefix}c1`,
      image,
      "sleep",
      "100000",
    ]);
    await testkit.waitFor("container events", 10_000, async () => changes > before);
    const started = changes;
    await dockerd.docker(["rm", "-f", `${prefix}c1`]);
    await testkit.waitFor("removal events", 10_000, async () => changes > started);
  });
});
