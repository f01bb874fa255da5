// The control plane's side of CNI (attachments/cni.ts) on a real database: ADD through the attach
// service with the runtime's container id, a retried ADD answered with the same attachment, DEL
// idempotent and by container id (no namespace needed), an MTU other than the network's refused, GC,
// and the leak check naming the CNI container when its namespace is gone.
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Actor,
  applyDesiredStateResult,
  type CniHost,
  cniAttach,
  cniDetach,
  cniGc,
  createNetwork,
  DomainError,
  findLeaks,
  ingestInventory,
  loadCheckInput,
  type ServiceContext,
} from "../src";
import { underlayInventory } from "./inventory-fixture";

let db: TestDatabase;
let ctx: ServiceContext;
let host: CniHost;
const actor: Actor = { type: "token", id: "t1", name: "oncall@example.com" };

const add = (containerId: string, netns: string, extra: Record<string, unknown> = {}) =>
  cniAttach(ctx, host, {
    network: "pods",
    containerId,
    netns,
    ifname: "eth0",
    setDefaultRoute: false,
    ...extra,
  });

/** The agent's result for the host's current serial: every wanted endpoint applied. */
async function applyAll(): Promise<void> {
  const h = await db.prisma.host.findUniqueOrThrow({ where: { id: host.id } });
  const live = await db.prisma.attachment.findMany({
    where: { hostId: host.id, status: { in: ["pending", "applied"] } },
  });
  const outcome = await applyDesiredStateResult(ctx, host.id, {
    serial: h.desiredSerial,
    results: live.map((a) => ({
      endpointId: a.id,
      status: "applied",
      error: null,
      hostIfname: "syabcdef01h",
    })),
    events: [],
  });
  expect(outcome.accepted).toBe(true);
}

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { prisma: db.prisma, now: () => new Date() };
  const row = await db.prisma.host.create({ data: { name: "node1", status: "online" } });
  host = { id: row.id, name: row.name };
  await ingestInventory(ctx, host.id, underlayInventory("node1", "10.98.1.11"));
  await createNetwork(ctx, actor, {
    name: "pods",
    driver: "bridge",
    subnet: "10.79.0.0/24",
    gateway: "10.79.0.1",
  });
});
afterAll(async () => {
  await db.drop();
});

describe("CNI on the control plane", () => {
  it("ADD attaches netns:NAME with the container id; a retried ADD gets the same attachment", async () => {
    const first = await add("ctr-a", "cni-aaaa", { stickyKey: "pod:web/a-0" });
    expect(first.changes).toHaveLength(1);
    expect(first.attachment).toMatchObject({
      network: "pods",
      gateway: "10.79.0.1",
      prefixLength: 24,
      status: "pending",
    });
    const row = await db.prisma.attachment.findUniqueOrThrow({ where: { id: first.attachment.id } });
    expect(row).toMatchObject({
      containerRuntime: "netns",
      containerRef: "cni-aaaa",
      cniContainerId: "ctr-a",
    });
    expect(row.createdBy).toBe("agent node1");
    const again = await add("ctr-a", "cni-aaaa", { stickyKey: "pod:web/a-0" });
    expect(again.changes).toEqual([]);
    expect(again.attachment.id).toBe(first.attachment.id);
    // Another container in that namespace slot is a conflict, as through the API.
    await expect(add("ctr-other", "cni-aaaa")).rejects.toMatchObject({ code: "conflict", field: "ifname" });
  });

  it("an MTU other than the network's is refused naming mtu", async () => {
    const err = await add("ctr-m", "cni-mmmm", { mtu: 9000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DomainError);
    expect(err).toMatchObject({ code: "validation_failed", field: "mtu" });
    expect(await db.prisma.attachment.count({ where: { cniContainerId: "ctr-m" } })).toBe(0);
  });

  it("DEL by container id detaches; DEL of something gone detaches nothing and succeeds", async () => {
    await applyAll();
    const del = await cniDetach(ctx, host, { containerId: "ctr-a", ifname: "eth0" });
    expect(del.detached).toHaveLength(1);
    const h = await db.prisma.host.findUniqueOrThrow({ where: { id: host.id } });
    expect(del.serial).toBe(h.desiredSerial);
    await applyDesiredStateResult(ctx, host.id, { serial: h.desiredSerial, results: [], events: [] });
    const gone = await cniDetach(ctx, host, { containerId: "ctr-a", ifname: "eth0" });
    expect(gone.detached).toEqual([]);
    expect(await cniDetach(ctx, host, { containerId: "never-seen", ifname: "eth0" })).toMatchObject({
      detached: [],
    });
    // The sticky key brings the address back to the re-created pod.
    const before = await db.prisma.attachment.findFirstOrThrow({ where: { cniContainerId: "ctr-a" } });
    const back = await add("ctr-a2", "cni-bbbb", { stickyKey: "pod:web/a-0" });
    expect(back.attachment.address).toBe(before.address);
  });

  it("GC detaches the host's CNI attachments on the network the runtime no longer lists", async () => {
    await add("ctr-c", "cni-cccc");
    await applyAll();
    const gc = await cniGc(ctx, host, {
      network: "pods",
      valid: [{ containerId: "ctr-a2", ifname: "eth0" }],
    });
    const gcIds = await db.prisma.attachment.findMany({
      where: { id: { in: gc.detached } },
      select: { cniContainerId: true },
    });
    expect(gcIds.map((r) => r.cniContainerId)).toEqual(["ctr-c"]);
  });

  it("the leak check names the CNI container when its namespace is not in the inventory", async () => {
    await applyAll();
    const input = await loadCheckInput(db.prisma);
    // The inventory lists no cni-bbbb namespace, received after the apply.
    for (const h of input.hosts) if (h.inventory) h.inventory.receivedAt = new Date(Date.now() + 1000);
    const findings = findLeaks(input, new Date(), { hostOfflineGraceMs: 60_000 });
    const gone = findings.find((f) => f.kind === "container_gone" && f.container === "netns:cni-bbbb");
    expect(gone?.evidence.detail).toContain("CNI container ctr-a2, no DEL received");
  });
});
