import { execFile } from "node:child_process";

export interface ExecResult {
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  /** Run inside this named network namespace (`ip netns exec NAME ...`). */
  netns?: string;
  input?: string;
  env?: NodeJS.ProcessEnv;
}

/** A failed command, carrying its argv and stderr so callers can report the command's own error text. */
export class ExecError extends Error {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    readonly timedOut: boolean,
    /** What the program printed before it failed (ping's statistics come with its exit 1). */
    readonly stdout = "",
  ) {
    const what = timedOut ? "timed out" : `exited ${exitCode}`;
    super(`${argv.join(" ")} ${what}${stderr.trim() ? `: ${stderr.trim()}` : ""}`);
    this.name = "ExecError";
  }
}

export type Exec = (argv: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

const DEFAULT_TIMEOUT_MS = 10_000;

/** The one way this code base runs a program: an argv array, never a shell string, always a timeout. */
export const exec: Exec = (argv, options = {}) => {
  const full = options.netns ? ["ip", "netns", "exec", options.netns, ...argv] : [...argv];
  const [file, ...args] = full;
  if (!file) return Promise.reject(new Error("exec: empty argv"));
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        env: options.env ?? process.env,
        encoding: "utf8",
      },
      (error, stdout, stderr) => {
        if (error) {
          const timedOut = error.killed === true && error.signal === "SIGTERM";
          const code = typeof error.code === "number" ? error.code : null;
          reject(new ExecError(full, code, stderr || error.message, timedOut, stdout));
          return;
        }
        resolve({ stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
};
