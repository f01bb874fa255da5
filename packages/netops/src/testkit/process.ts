import { constants } from "node:fs";
import { access, readFile } from "node:fs/promises";
import { delimiter, join } from "node:path";

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** True while `pid` exists and is not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** Ends one process by its PID: SIGTERM, then SIGKILL after `graceMs`. Resolves once it is gone. */
export async function stopPid(pid: number, graceMs = 10_000): Promise<void> {
  if (!(await isAlive(pid))) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await isAlive(pid))) return;
    await sleep(50);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    return;
  }
  const killDeadline = Date.now() + 5_000;
  while (Date.now() < killDeadline) {
    if (!(await isAlive(pid))) return;
    await sleep(50);
  }
  throw new Error(`process ${pid} survived SIGKILL`);
}

/** The PID in a pidfile, or null when the file is missing or unreadable. */
export async function readPidFile(path: string): Promise<number | null> {
  try {
    const pid = Number.parseInt((await readFile(path, "utf8")).trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Polls `check` until it returns a value other than null/false, or throws `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | null | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

/** Absolute path of a program on PATH, or null. */
export async function findProgram(
  name: string,
  path = process.env.PATH ?? "/usr/sbin:/usr/bin:/sbin:/bin",
): Promise<string | null> {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  return null;
}

/**
 * Throws one clear error naming every missing prerequisite (programs, root). `programs` maps a program to
 * the Debian package that provides it.
 */
export async function requirePrerequisites(options: {
  root?: boolean;
  programs: Record<string, string>;
}): Promise<void> {
  const problems: string[] = [];
  if (options.root && process.getuid?.() !== 0) problems.push("must run as root");
  for (const [program, pkg] of Object.entries(options.programs)) {
    if (!(await findProgram(program))) problems.push(`${program} not found (apt-get install ${pkg})`);
  }
  if (problems.length > 0) throw new Error(`missing prerequisites: ${problems.join("; ")}`);
}
