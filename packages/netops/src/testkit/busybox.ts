import { copyFile, mkdir, mkdtemp, readFile, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Exec, exec as realExec } from "../exec";

export interface BuildBusyboxImageOptions {
  /** Runs the docker CLI against the daemon that gets the image (e.g. `PrivateDockerd.docker`). */
  docker: (args: readonly string[], timeoutMs?: number) => Promise<string>;
  /** Image reference to create, e.g. `testbox:1`. */
  tag: string;
  /** A statically linked busybox (Debian `busybox-static`). */
  busybox?: string;
  exec?: Exec;
}

/**
 * Builds a tiny image offline: a rootfs of a static busybox and its applet links, `docker import`ed as
 * `tag` with `CMD ["sh"]`. Resolves the tag. Fails clearly when busybox is missing or not static.
 */
export async function buildBusyboxImage(options: BuildBusyboxImageOptions): Promise<string> {
  const exec = options.exec ?? realExec;
  const busybox = options.busybox ?? "/bin/busybox";
  let binary: Buffer;
  try {
    binary = await readFile(busybox);
  } catch {
    throw new Error(`${busybox} not found (apt-get install busybox-static)`);
  }
  if (binary.includes("ld-linux")) {
    throw new Error(
      `${busybox} is dynamically linked; a container needs busybox-static (apt-get install busybox-static)`,
    );
  }
  const work = await mkdtemp(join(tmpdir(), "sy-busybox-"));
  try {
    const rootfs = join(work, "rootfs");
    for (const d of ["bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "root", "usr/bin", "usr/sbin"]) {
      await mkdir(join(rootfs, d), { recursive: true });
    }
    await copyFile(busybox, join(rootfs, "bin", "busybox"));
    const { stdout } = await exec([busybox, "--list"]);
    for (const applet of stdout.split("\n").map((s) => s.trim())) {
      if (!applet || applet === "busybox" || applet.includes("/")) continue;
      await symlink("busybox", join(rootfs, "bin", applet)).catch(() => {});
    }
    const tar = join(work, "rootfs.tar");
    await exec(["tar", "-C", rootfs, "-cf", tar, "."], { timeoutMs: 60_000 });
    await options.docker(["import", "--change", 'CMD ["sh"]', tar, options.tag], 120_000);
    return options.tag;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
