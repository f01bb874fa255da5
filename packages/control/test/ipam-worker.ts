/**
 * A separate control-plane process hammering one pool, for the concurrency test and the benchmark:
 *
 *   tsx ipam-worker.ts '{"url":"postgresql://...","pool":"p","hosts":["id",...],"count":500,"concurrency":32}'
 *
 * Connects, prints "ready", waits for a line on stdin, runs `count` allocations (host i % hosts.length)
 * with `concurrency` in flight, then prints one JSON line: { wallMs, results }.
 */
import { createInterface } from "node:readline";
import { createPrisma } from "@switchyard/db";
import { DomainError } from "../src/errors";
import { allocateAddress } from "../src/ipam";

interface WorkerArgs {
  url: string;
  pool: string;
  hosts: string[];
  count: number;
  concurrency: number;
  offset?: number;
  /** Allocations to make from this other pool before "ready" (connections open, code paths warm). */
  warmupPool?: string;
}

export type WorkerResult =
  | { ok: true; address: string; hostId: string; blockIndex: string; ms: number }
  | { ok: false; hostId: string; code: string; message: string; ms: number };

const args = JSON.parse(process.argv[2] ?? "{}") as WorkerArgs;
const prisma = createPrisma(args.url, { poolSize: Math.min(args.concurrency, 20) });
const ctx = { prisma, now: () => new Date() };
const actor = { type: "system" as const, id: null, name: `worker-${process.pid}` };

await prisma.$queryRaw`SELECT 1`;
if (args.warmupPool) {
  const pool = args.warmupPool;
  await Promise.all(
    Array.from({ length: Math.max(args.concurrency, 4) }, (_, i) =>
      allocateAddress(ctx, actor, {
        pool,
        hostId: args.hosts[i % args.hosts.length] as string,
        reason: "warm-up",
      }),
    ),
  );
}
process.stdout.write("ready\n");
const stdin = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => stdin.once("line", () => resolve()));
stdin.close();

const results: WorkerResult[] = [];
let next = 0;
const started = performance.now();
async function client(): Promise<void> {
  for (let i = next++; i < args.count; i = next++) {
    const hostId = args.hosts[(i + (args.offset ?? 0)) % args.hosts.length] as string;
    const t0 = performance.now();
    try {
      const a = await allocateAddress(ctx, actor, { pool: args.pool, hostId, reason: "worker" });
      results.push({
        ok: true,
        address: a.address,
        hostId,
        blockIndex: a.blockIndex,
        ms: performance.now() - t0,
      });
    } catch (err) {
      const code = err instanceof DomainError ? err.code : "error";
      results.push({ ok: false, hostId, code, message: (err as Error).message, ms: performance.now() - t0 });
    }
  }
}
await Promise.all(Array.from({ length: args.concurrency }, client));
const wallMs = performance.now() - started;
process.stdout.write(`${JSON.stringify({ wallMs, results })}\n`);
await prisma.$disconnect();
