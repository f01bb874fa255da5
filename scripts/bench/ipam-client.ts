/**
 * A load generator for the IPAM benchmark: `concurrency` HTTP clients (keep-alive) allocating from one
 * pool through `POST /api/v1/pools/:pool/allocations` with a bearer token, hosts taken round robin.
 *
 *   tsx scripts/bench/ipam-client.ts '{"url":"http://127.0.0.1:PORT","token":"syt_...","pool":"p","hosts":[...],"count":N,"concurrency":C}'
 *
 * Warms up (connections opened, server code paths run) on `warmupPool`, prints "ready", waits for a line
 * on stdin, runs, then prints one JSON line: { wallMs, results }.
 */
import { Agent, request } from "node:http";
import { createInterface } from "node:readline";

interface ClientArgs {
  url: string;
  token: string;
  pool: string;
  hosts: string[];
  count: number;
  concurrency: number;
  offset?: number;
  warmupPool?: string;
}

export type ClientResult =
  | { ok: true; address: string; hostId: string; blockIndex: string; ms: number }
  | { ok: false; hostId: string; status: number; message: string; ms: number };

const args = JSON.parse(process.argv[2] ?? "{}") as ClientArgs;
const base = new URL(args.url);
const agent = new Agent({ keepAlive: true, maxSockets: args.concurrency });

function post(path: string, body: unknown): Promise<{ status: number; body: string }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method: "POST",
        path,
        headers: {
          authorization: `Bearer ${args.token}`,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(payload),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const allocate = (pool: string, hostId: string, reason: string) =>
  post(`/api/v1/pools/${encodeURIComponent(pool)}/allocations`, { hostId, reason });

if (args.warmupPool) {
  const pool = args.warmupPool;
  for (let round = 0; round < 3; round++) {
    await Promise.all(
      Array.from({ length: args.concurrency }, (_, i) =>
        allocate(pool, args.hosts[i % args.hosts.length] as string, "warm-up"),
      ),
    );
  }
}
process.stdout.write("ready\n");
const stdin = createInterface({ input: process.stdin });
await new Promise<void>((resolve) => stdin.once("line", () => resolve()));
stdin.close();

const results: ClientResult[] = [];
let next = 0;
const started = performance.now();
const cpuStart = process.cpuUsage();
async function client(): Promise<void> {
  for (let i = next++; i < args.count; i = next++) {
    const hostId = args.hosts[(i + (args.offset ?? 0)) % args.hosts.length] as string;
    const t0 = performance.now();
    try {
      const res = await allocate(args.pool, hostId, "bench");
      const ms = performance.now() - t0;
      if (res.status === 201) {
        const a = JSON.parse(res.body) as { address: string; blockIndex: string };
        results.push({ ok: true, address: a.address, hostId, blockIndex: a.blockIndex, ms });
      } else {
        results.push({ ok: false, hostId, status: res.status, message: res.body.slice(0, 300), ms });
      }
    } catch (err) {
      results.push({
        ok: false,
        hostId,
        status: 0,
        message: (err as Error).message,
        ms: performance.now() - t0,
      });
    }
  }
}
await Promise.all(Array.from({ length: args.concurrency }, client));
const wallMs = performance.now() - started;
const cpu = process.cpuUsage(cpuStart);
process.stdout.write(`${JSON.stringify({ wallMs, cpuMs: (cpu.user + cpu.system) / 1000, results })}\n`);
agent.destroy();
