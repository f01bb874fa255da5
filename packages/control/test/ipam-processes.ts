import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { WorkerResult } from "./ipam-worker";

const TSX = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));
const WORKER = fileURLToPath(new URL("./ipam-worker.ts", import.meta.url));

export interface WorkerSpec {
  url: string;
  pool: string;
  hosts: string[];
  count: number;
  concurrency: number;
  offset?: number;
  warmupPool?: string;
}

export interface WorkerOutput {
  wallMs: number;
  results: WorkerResult[];
}

/**
 * Runs one worker process per spec (separate Node processes, separate connection pools), starts them
 * at the same moment once all are connected, and returns their outputs plus the overall wall time.
 */
export async function runWorkers(specs: WorkerSpec[]): Promise<{ wallMs: number; outputs: WorkerOutput[] }> {
  const children = specs.map((spec) => {
    const child = spawn(TSX, [WORKER, JSON.stringify(spec)], { stdio: ["pipe", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout });
    const queue: string[] = [];
    const waiters: ((line: string) => void)[] = [];
    lines.on("line", (line) => {
      const w = waiters.shift();
      if (w) w(line);
      else queue.push(line);
    });
    const exited = new Promise<number>((resolve) => child.once("exit", (code) => resolve(code ?? -1)));
    const nextLine = () =>
      new Promise<string>((resolve, reject) => {
        const queued = queue.shift();
        if (queued !== undefined) return resolve(queued);
        waiters.push(resolve);
        void exited.then((code) => reject(new Error(`worker exited with ${code} before answering`)));
      });
    return { child, nextLine, exited };
  });
  try {
    for (const c of children) expectLine(await c.nextLine(), "ready");
    const started = performance.now();
    for (const c of children) c.child.stdin.end("go\n");
    const outputs = await Promise.all(
      children.map(async (c) => JSON.parse(await c.nextLine()) as WorkerOutput),
    );
    const wallMs = performance.now() - started;
    await Promise.all(children.map((c) => c.exited));
    return { wallMs, outputs };
  } finally {
    for (const c of children) if (c.child.exitCode === null) c.child.kill("SIGKILL");
  }
}

function expectLine(line: string, want: string): void {
  if (line !== want) throw new Error(`worker said ${JSON.stringify(line.slice(0, 200))}, expected ${want}`);
}
