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

/** True for a dynamically linked 64-bit little-endian ELF (one with a PT_INTERP program header). */
function hasElfInterpreter(binary: Buffer): boolean {
  const isElf64Le =
    binary.length > 64 && binary.readUInt32BE(0) === 0x7f454c46 && binary[4] === 2 && binary[5] === 1;
  if (!isElf64Le) return false;
  const phoff = Number(binary.readBigUInt64LE(0x20));
  const phentsize = binary.readUInt16LE(0x36);
  const phnum = binary.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * phentsize;
    if (at + 4 <= binary.length && binary.readUInt32LE(at) === 3) return true;
  }
  return false;
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
  if (hasElfInterpreter(binary)) {
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
