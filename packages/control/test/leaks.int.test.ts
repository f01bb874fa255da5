import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import type { Inventory } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Actor,
  addressHistory,
  allocateAddress,
  applyDesiredStateResult,
  attachContainer,
  createNetwork,
  DomainError,
  deliverWebhooks,
  ingestInventory,
  LEAK_LOCK_KEY,
  type LeakSettings,
  listLeaks,
  loadDesiredState,
  releaseLeak,
  renderLeakMetrics,
  runLeakCheck,
  type ServiceContext,
  undoLeakRelease,
} from "../src";

let db: TestDatabase;
let clock = new Date("2026-11-27T20:00:00.000Z");
const tick = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
let ctx: ServiceContext;
const actor: Actor = { type: "user", id: "u1", name: "oncall@example.com" };
const settings: LeakSettings = {
  graceMs: 30_000,
  hostOfflineGraceMs: 60_000,
  webhookUrl: "http://127.0.0.1:9/hook",
};
let h1 = "";
let h2 = "";
let poolId = "";

const container = (name: string, address: string | null): Inventory["containers"][number] => ({
  id: `${name}0123456789abcdef0123456789abcdef`,
  name,
  runtime: "docker",
  state: "running",
  pid: 4242,
  interfaces: [
    {
      name: "eth1",
      index: 7,
      kind: "veth",
      mac: null,
      peerIndex: 8,
      addresses: address ? [{ family: "inet", address, prefixLength: 24 }] : [],
    },
  ],
});
const inventory = (containers: Inventory["containers"]): Inventory => ({
  collectedAt: clock.toISOString(),
  hostname: "leak-h1",
  interfaces: [],
  bridges: [],
  ovs: { available: false, error: null, bridges: [] },
  namespaces: [],
  docker: { available: true, error: null },
  containers,
});
const report = async (hostId: string, containers: Inventory["containers"]) => {
  await ingestInventory(ctx, hostId, inventory(containers));
  await db.prisma.host.update({ where: { id: hostId }, data: { lastSeenAt: clock, status: "online" } });
};

async function refusal(p: Promise<unknown>): Promise<DomainError> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return err as DomainError;
}

/** Attaches docker:NAME on the host and marks it applied by the agent; returns the address. */
async function attached(hostName: string, hostId: string, name: string): Promise<string> {
  const { attachment } = await attachContainer(ctx, actor, {
    host: hostName,
    network: "lan",
    container: `docker:${name}`,
  });
  const host = await db.prisma.host.findUniqueOrThrow({ where: { id: hostId } });
  await applyDesiredStateResult(ctx, hostId, {
    serial: host.desiredSerial,
    results: [{ endpointId: attachment.id, status: "applied", error: null, hostIfname: `sy${name}` }],
    events: [],
  });
  return attachment.address;
}

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { prisma: db.prisma, now: () => clock };
  h1 = (await db.prisma.host.create({ data: { name: "leak-h1", status: "online", lastSeenAt: clock } })).id;
  h2 = (await db.prisma.host.create({ data: { name: "leak-h2", status: "online", lastSeenAt: clock } })).id;
  await createNetwork(ctx, actor, {
    name: "lan",
    driver: "bridge",
    subnet: "10.10.103.0/24",
    gateway: "10.10.103.254",
    uplink: "eth1",
  });
  poolId = (await db.prisma.network.findUniqueOrThrow({ where: { name: "lan" } })).poolId;
});
afterAll(async () => {
  await db?.drop();
});

describe("leak check, release, undo, history", () => {
  let address = "";

  it("persists findings: pending within the grace, raised after it (webhook queued), resolved when gone", async () => {
    address = await attached("leak-h1", h1, "con1");
    tick(1000);
    await report(h1, [container("con1", address)]);
    // An attach in flight (pending) on h2 is never reported.
    await attachContainer(ctx, actor, { host: "leak-h2", network: "lan", container: "docker:inflight" });
    await report(h2, []);
    let out = await runLeakCheck(ctx, settings);
    expect(out.result?.findings).toEqual([]);
    expect(out.result?.allocations).toBe(2);

    tick(1000);
    await report(h1, []); // con1 removed behind Switchyard's back
    out = await runLeakCheck(ctx, settings);
    expect(out.result?.findings.map((f) => [f.kind, f.state, f.address])).toEqual([
      ["container_gone", "pending", address],
    ]);
    expect(out.raised).toEqual([]);
    const id = out.result?.findings[0]?.id;

    tick(20_000);
    out = await runLeakCheck(ctx, settings);
    expect(out.result?.findings[0]).toMatchObject({ id, state: "pending" });
    tick(11_000);
    out = await runLeakCheck(ctx, settings);
    expect(out.raised.map((f) => f.id)).toEqual([id]);
    expect(out.result?.findings[0]).toMatchObject({
      id,
      state: "open",
      hostName: "leak-h1",
      networkName: "lan",
      poolName: expect.any(String),
      container: "docker:con1",
      releasable: true,
      raisedAt: clock.toISOString(),
      lastSeenAt: clock.toISOString(),
    });
    expect(out.result?.findings[0]?.evidence.inventoryReceivedAt).toBeTruthy();
    const deliveries = await db.prisma.webhookDelivery.findMany();
    expect(deliveries.map((d) => [d.event, (d.payload as { finding: { id: string } }).finding.id])).toEqual([
      ["leak.raised", id],
    ]);
    // Raised once only.
    tick(1000);
    out = await runLeakCheck(ctx, settings);
    expect(out.raised).toEqual([]);
    expect(await db.prisma.webhookDelivery.count()).toBe(1);
    const findings = (await renderLeakMetrics(db.prisma)).find((f) => f.name === "switchyard_leak_findings");
    expect(findings?.samples).toContainEqual({ labels: { kind: "container_gone", state: "open" }, value: 1 });
  });

  it("refuses a release when the container came back; the finding resolves", async () => {
    tick(1000);
    await report(h1, [container("con1", address)]);
    const err = await refusal(releaseLeak(ctx, actor, { pool: "lan", address }, "cleanup", settings));
    expect(err.code).toBe("conflict");
    expect(err.message).toMatch(/not leaked any more/);
    const out = await runLeakCheck(ctx, settings);
    expect(out.result?.resolved).toBe(1);
    expect((await listLeaks(ctx, { state: "resolved" })).findings.map((f) => f.address)).toEqual([address]);
    // Nothing was released.
    const row = await db.prisma.addressAllocation.findFirstOrThrow({ where: { address, releasedAt: null } });
    expect(row.releasedBy).toBeNull();
  });

  it("refuses when the address is live on another container of an online host", async () => {
    tick(1000);
    await report(h1, []);
    await report(h2, [container("squatter", address)]);
    const err = await refusal(releaseLeak(ctx, actor, { pool: "lan", address }, "cleanup", settings));
    expect(err.message).toMatch(/is live on leak-h2 docker:squatter eth1/);
    await report(h2, []);
  });

  let releaseId = "";
  it("releases: cooldown, attachment detached, endpoint out of the desired state, audit, undo", async () => {
    tick(1000);
    await runLeakCheck(ctx, settings);
    const before = await db.prisma.host.findUniqueOrThrow({ where: { id: h1 } });
    const change = await releaseLeak(ctx, actor, { pool: "lan", address }, "con1 deleted by hand", settings);
    releaseId = change.release.id;
    expect(change.release).toMatchObject({
      address,
      poolName: expect.any(String),
      hostName: "leak-h1",
      reason: "con1 deleted by hand",
      releasedBy: "oncall@example.com",
      reusableAt: new Date(clock.getTime() + 60_000).toISOString(),
    });
    expect(change.release.verification).toMatch(/^container_gone: /);
    expect(change.hostIds).toEqual([h1]);
    const host = await db.prisma.host.findUniqueOrThrow({ where: { id: h1 } });
    expect(host.desiredSerial).toBe(before.desiredSerial + 1);
    const plan = await loadDesiredState(db.prisma, h1);
    expect(plan.state.endpoints).toEqual([]);
    const att = await db.prisma.attachment.findFirstOrThrow({ where: { address, hostId: h1 } });
    expect(att.status).toBe("detached");
    const audit = await db.prisma.auditEvent.findFirstOrThrow({ where: { action: "leak.release" } });
    expect([audit.actorName, audit.reason]).toEqual(["oncall@example.com", "con1 deleted by hand"]);
    expect((await listLeaks(ctx)).findings).toEqual([]);
    expect((await listLeaks(ctx, { state: "released" })).findings[0]?.releaseId).toBe(releaseId);

    // Cooling down: nobody else gets it.
    const taken = await refusal(allocateAddress(ctx, actor, { poolId, hostId: h2, address }));
    expect(taken.message).toMatch(/cooling down/);
    // Released twice: refused.
    expect(
      (await refusal(releaseLeak(ctx, actor, { pool: "lan", address }, "again", settings))).message,
    ).toMatch(/already released/);

    // Undo while cooling down.
    tick(10_000);
    const undone = await undoLeakRelease(ctx, actor, releaseId, "wrong container");
    expect(undone.release.undoneBy).toBe("oncall@example.com");
    expect(undone.hostIds).toEqual([h1]);
    const restored = await db.prisma.addressAllocation.findFirstOrThrow({
      where: { address, releasedAt: null },
    });
    expect(restored.heldOffset).not.toBeNull();
    expect((await db.prisma.attachment.findFirstOrThrow({ where: { id: att.id } })).status).toBe("pending");
    expect((await loadDesiredState(db.prisma, h1)).state.endpoints.map((e) => e.address)).toEqual([address]);
    expect((await refusal(undoLeakRelease(ctx, actor, releaseId, null))).message).toMatch(/already undone/);
  });

  it("undo is refused after the cooldown; the address is reused only after it", async () => {
    // Mark the restored attachment applied again, then its container is gone for good.
    const att = await db.prisma.attachment.findFirstOrThrow({ where: { address, hostId: h1 } });
    const host = await db.prisma.host.findUniqueOrThrow({ where: { id: h1 } });
    await applyDesiredStateResult(ctx, h1, {
      serial: host.desiredSerial,
      results: [{ endpointId: att.id, status: "applied", error: null, hostIfname: "sycon1" }],
      events: [],
    });
    tick(1000);
    await report(h1, [container("con1", address)]);
    tick(1000);
    await report(h1, []);
    const change = await releaseLeak(ctx, actor, { pool: "lan", address }, "gone for good", settings);
    tick(30_000);
    expect((await refusal(allocateAddress(ctx, actor, { poolId, hostId: h2, address }))).code).toBe(
      "conflict",
    );
    tick(31_000);
    const err = await refusal(undoLeakRelease(ctx, actor, change.release.id, null));
    expect(err.message).toMatch(/no longer free/);
    const reused = await allocateAddress(ctx, actor, { poolId, hostId: h2, address, reason: "reuse" });
    expect(reused.address).toBe(address);
  });

  it("history: every allocation, holder, finding and release with who and why", async () => {
    const h = await addressHistory(ctx, { pool: "lan", address });
    expect(h.allocations.length).toBe(2);
    expect(h.releases.map((r) => [r.reason, r.undoneAt !== null])).toEqual([
      ["con1 deleted by hand", true],
      ["gone for good", false],
    ]);
    const kinds = h.events.map((e) => e.kind);
    expect(kinds).toContain("allocated");
    expect(kinds).toContain("finding");
    expect(kinds).toContain("finding_resolved");
    expect(kinds.filter((k) => k === "leak_release").length).toBe(2);
    expect(kinds).toContain("release_undone");
    const rel = h.events.find((e) => e.kind === "leak_release");
    expect([rel?.actor, rel?.reason, rel?.hostName]).toEqual([
      "oncall@example.com",
      "con1 deleted by hand",
      "leak-h1",
    ]);
    expect(h.events.find((e) => e.kind === "allocated")?.summary).toMatch(/docker:con1 eth1 on host leak-h1/);
  });

  it("host_offline after HOST_OFFLINE_GRACE", async () => {
    const addr = await attached("leak-h1", h1, "con7");
    tick(1000);
    await report(h1, [container("con7", addr)]);
    await db.prisma.host.update({ where: { id: h1 }, data: { status: "offline" } });
    tick(30_000);
    let out = await runLeakCheck(ctx, { ...settings, graceMs: 0 });
    expect(out.result?.findings.filter((f) => f.kind === "host_offline")).toEqual([]);
    tick(31_000);
    out = await runLeakCheck(ctx, { ...settings, graceMs: 0 });
    const f = out.result?.findings.find((x) => x.kind === "host_offline");
    expect(f).toMatchObject({ state: "open", address: addr, hostName: "leak-h1" });
    expect(f?.evidence.hostLastSeenAt).toBe(new Date(clock.getTime() - 61_000).toISOString());
    // Releasable while the host is away: its next desired state has no endpoint.
    await releaseLeak(ctx, actor, { pool: "lan", address: addr }, "host crashed", settings);
    expect((await loadDesiredState(db.prisma, h1)).state.endpoints.map((e) => e.address)).not.toContain(addr);
  });
});

describe("one replica at a time", () => {
  it("the periodic check skips while another holds the leak lock; an on-demand check waits for it", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let locked: () => void = () => {};
    const isLocked = new Promise<void>((resolve) => {
      locked = resolve;
    });
    const holder = db.prisma.$transaction(
      async (tx) => {
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(${LEAK_LOCK_KEY})`;
        locked();
        await held;
      },
      { timeout: 30_000 },
    );
    await isLocked;
    const skipped = await runLeakCheck(ctx, settings, { skipIfBusy: true });
    expect(skipped.result).toBeNull();
    let waited = false;
    const onDemand = runLeakCheck(ctx, settings).then((out) => {
      waited = true;
      return out;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(waited).toBe(false);
    release();
    await holder;
    expect((await onDemand).result).not.toBeNull();
    const job = await db.prisma.jobRun.findUniqueOrThrow({ where: { name: "leak-check" } });
    expect(job.lastRunAt.toISOString()).toBe(clock.toISOString());
  });
});

describe("webhook outbox", () => {
  let server: Server;
  const received: { body: string; delivery: string | undefined }[] = [];
  beforeAll(async () => {
    const calls = new Map<string, number>();
    server = createServer((req: IncomingMessage, res) => {
      let body = "";
      req.on("data", (c: Buffer) => {
        body += c.toString();
      });
      req.on("end", () => {
        const delivery = req.headers["x-switchyard-delivery"] as string | undefined;
        received.push({ body, delivery });
        const n = (calls.get(delivery ?? "") ?? 0) + 1;
        calls.set(delivery ?? "", n);
        res.writeHead(n <= 2 ? 503 : 204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it("retries with backoff until the receiver answers 2xx (fails twice, then accepts)", async () => {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    await db.prisma.webhookDelivery.updateMany({ data: { url, attempts: 0, nextAttemptAt: clock } });
    const opts = { baseDelayMs: 1000, maxDelayMs: 10_000 };
    const runs = [];
    for (let i = 0; i < 6; i++) {
      runs.push(await deliverWebhooks(ctx, opts));
      tick(5_000);
    }
    const pending = await db.prisma.webhookDelivery.count({ where: { deliveredAt: null } });
    expect(pending).toBe(0);
    const all = await db.prisma.webhookDelivery.findMany({ orderBy: { createdAt: "asc" } });
    expect(all.length).toBeGreaterThanOrEqual(2);
    // Each delivery: two refusals, then accepted; the same delivery id every time.
    expect(received.length).toBe(all.length * 3);
    for (const d of all) {
      expect(d.attempts).toBe(3);
      expect(received.filter((r) => r.delivery === d.id).length).toBe(3);
    }
    const first = received.find((r) => r.delivery === all[0]?.id);
    expect(JSON.parse(first?.body ?? "{}")).toMatchObject({
      event: "leak.raised",
      finding: { kind: "container_gone" },
    });
    expect(runs[0]).toMatchObject({ failed: all.length, delivered: 0 });
    expect(runs.reduce((n, r) => n + r.delivered, 0)).toBe(all.length);
  });
});
