/**
 * Recording a desired-state result at scale: thousands of endpoints and events, sent again after a lost
 * acknowledgement. Real PostgreSQL (a database of this file's own).
 */
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import type { DesiredStateResult } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Actor,
  applyDesiredStateResult,
  attachContainer,
  createNetwork,
  loadDesiredState,
  markOperationsSent,
  type ServiceContext,
} from "../src";

let db: TestDatabase;
let ctx: ServiceContext;
let hostId: string;
const actor: Actor = { type: "token", id: "t1", name: "bulk@example.com" };
const ENDPOINTS = 300;
const EVENTS = 12_000;

beforeAll(async () => {
  db = await createTestDatabase();
  ctx = { prisma: db.prisma, now: () => new Date() };
  hostId = (await db.prisma.host.create({ data: { name: "bulk" } })).id;
  await createNetwork(ctx, actor, { name: "flat", driver: "bridge", subnet: "10.70.0.0/16" });
  for (let i = 0; i < ENDPOINTS; i++) {
    await attachContainer(ctx, actor, { host: "bulk", container: `netns:c${i}`, network: "flat" });
  }
}, 300_000);
afterAll(async () => {
  await db?.drop();
});

describe("recording a desired-state result", () => {
  it("thousands of events are recorded in bounded transactions, and the same result sent again adds nothing", async () => {
    const plan = await loadDesiredState(db.prisma, hostId);
    expect(plan.state.endpoints).toHaveLength(ENDPOINTS);
    await markOperationsSent(ctx, hostId, plan.state.serial);
    const result: DesiredStateResult = {
      serial: plan.state.serial,
      results: plan.state.endpoints.map((e) => ({
        endpointId: e.id,
        status: "applied",
        error: null,
        hostIfname: `sy${e.id.slice(0, 8)}h`,
        durationMs: 12,
      })),
      events: Array.from({ length: EVENTS }, (_, i) => ({
        kind: "repaired" as const,
        endpointId: plan.state.endpoints[i % ENDPOINTS]?.id ?? null,
        networkId: null,
        message: `drift ${i} repaired`,
      })),
    };
    const outcome = await applyDesiredStateResult(ctx, hostId, result);
    expect(outcome.accepted).toBe(true);
    expect(outcome.attachments).toHaveLength(ENDPOINTS);
    expect(outcome.operations).toHaveLength(ENDPOINTS);
    expect(await db.prisma.auditEvent.count({ where: { action: "reconcile.repaired" } })).toBe(EVENTS);
    expect(await db.prisma.attachment.count({ where: { hostId, status: "applied" } })).toBe(ENDPOINTS);
    expect(await db.prisma.operation.count({ where: { hostId, status: "applied" } })).toBe(ENDPOINTS);
    expect((await db.prisma.host.findUniqueOrThrow({ where: { id: hostId } })).appliedSerial).toBe(
      plan.state.serial,
    );

    // The acknowledgement was lost: the agent sends the very same result again.
    const again = await applyDesiredStateResult(ctx, hostId, result);
    expect(again.accepted).toBe(true);
    expect([again.attachments.length, again.operations.length]).toEqual([0, 0]);
    expect(await db.prisma.auditEvent.count({ where: { action: "reconcile.repaired" } })).toBe(EVENTS);
  }, 300_000);
});
