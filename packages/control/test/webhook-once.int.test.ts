/**
 * Issue 8 point 7: with two replicas and a slow receiver, each webhook delivery is POSTed exactly once.
 * Two outbox workers (each its own Prisma client and connection pool, as two replicas) drain one
 * outbox against a local receiver that answers slowly; then a worker that lost its claim (another run
 * took the delivery over) must not record its answer over the new owner's.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createPrisma } from "@switchyard/db";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { deliverWebhooks, type ServiceContext, type WebhookOptions } from "../src";

let db: TestDatabase;
let second: ReturnType<typeof createPrisma>;
let server: Server;
let url = "";

interface Received {
  delivery: string | undefined;
  event: string | undefined;
  body: string;
  res: ServerResponse;
}
const received: Received[] = [];
/** How the receiver answers each request; default: 204 after DELAY_MS. */
let answer: (r: Received) => void;

const DELAY_MS = 400;
const slowAnswer = (r: Received) => {
  setTimeout(() => r.res.writeHead(204).end(), DELAY_MS);
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  db = await createTestDatabase();
  second = createPrisma(db.url);
  server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString();
    });
    req.on("end", () => {
      const r: Received = {
        delivery: req.headers["x-switchyard-delivery"] as string | undefined,
        event: req.headers["x-switchyard-event"] as string | undefined,
        body,
        res,
      };
      received.push(r);
      answer(r);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(null)));
  await second?.$disconnect();
  await db?.drop();
});

beforeEach(async () => {
  received.length = 0;
  answer = slowAnswer;
  await db.prisma.webhookDelivery.deleteMany();
});

async function queue(n: number, at: Date): Promise<string[]> {
  const ids = Array.from({ length: n }, () => randomUUID());
  await db.prisma.webhookDelivery.createMany({
    data: ids.map((id, i) => ({
      id,
      url,
      event: "leak.raised",
      payload: { event: "leak.raised", n: i },
      createdAt: new Date(at.getTime() + i),
      nextAttemptAt: at,
    })),
  });
  return ids;
}

describe("webhook outbox with two replicas and a slow receiver", () => {
  it("POSTs each delivery exactly once, with its delivery id", async () => {
    const ids = await queue(10, new Date(Date.now() - 1000));
    // A lease longer than one POST's timeout but shorter than a batch of ten slow answers (4 s): the
    // configuration that sent duplicates (one claim covered the whole batch).
    const options: WebhookOptions = { timeoutMs: 3000, leaseMs: 3500, batch: 50, baseDelayMs: 100 };
    const worker = async (ctx: ServiceContext) => {
      const deadline = Date.now() + 30_000;
      let delivered = 0;
      while (Date.now() < deadline) {
        const r = await deliverWebhooks(ctx, options);
        delivered += r.delivered;
        if (r.attempted > 0) continue;
        if ((await ctx.prisma.webhookDelivery.count({ where: { deliveredAt: null } })) === 0) break;
        await sleep(20);
      }
      return delivered;
    };
    const now = () => new Date();
    const [a, b] = await Promise.all([worker({ prisma: db.prisma, now }), worker({ prisma: second, now })]);
    const perDelivery = new Map<string, number>();
    for (const r of received)
      perDelivery.set(r.delivery ?? "none", (perDelivery.get(r.delivery ?? "none") ?? 0) + 1);
    expect(Object.fromEntries(perDelivery)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
    expect(received.every((r) => r.event === "leak.raised")).toBe(true);
    expect(a + b).toBe(10);
    const rows = await db.prisma.webhookDelivery.findMany();
    expect(rows.map((r) => [r.attempts, r.lastStatus, r.deliveredAt !== null])).toEqual(
      rows.map(() => [1, 204, true]),
    );
  });

  it("a worker whose claim was taken over does not record its answer over the new owner's", async () => {
    const t0 = new Date("2026-12-01T20:00:00.000Z");
    const [id] = await queue(1, t0);
    // A's POST hangs at the receiver; meanwhile B, whose clock is past A's lease (A stalled), claims
    // the same delivery and gets a 503.
    let holdA: Received | null = null;
    answer = (r) => {
      if (!holdA) holdA = r;
      else r.res.writeHead(503).end();
    };
    const options: WebhookOptions = { timeoutMs: 5000, baseDelayMs: 1000 };
    const runA = deliverWebhooks({ prisma: db.prisma, now: () => t0 }, options);
    while (!holdA) await sleep(10);
    const later = new Date(t0.getTime() + 10 * 60_000);
    const runB = await deliverWebhooks({ prisma: second, now: () => later }, options);
    expect(runB).toMatchObject({ attempted: 1, delivered: 0, failed: 1 });
    (holdA as Received).res.writeHead(204).end();
    const resultA = await runA;
    expect(resultA).toMatchObject({ attempted: 1, delivered: 0, lost: 1 });
    const row = await db.prisma.webhookDelivery.findUniqueOrThrow({ where: { id } });
    // B's failure stands: the delivery is retried by its owner's schedule (receivers dedupe on the id).
    expect(row).toMatchObject({ attempts: 1, lastStatus: 503, deliveredAt: null });
    expect(row.nextAttemptAt.getTime()).toBe(later.getTime() + 1000);
    expect(received.map((r) => r.delivery)).toEqual([id, id]);
  });
});
