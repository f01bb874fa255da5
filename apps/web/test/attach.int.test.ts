/**
 * Networks, attachments and the operations ledger through a real control plane (two replicas on one
 * PostgreSQL, HTTP + socket.io, UI off) with scripted agents: validation over REST (every bad input a
 * 4xx naming its field, nothing changed), desired state pushed to the agent wherever it is connected,
 * results closing operations, offline hosts served on connect, detach releasing the address.
 */
import type { TestDatabase } from "@switchyard/db/testing";
import {
  type Attachment,
  type DesiredState,
  type DesiredStateResult,
  type Network,
  type Operation,
  PROTOCOL_VERSION,
} from "@switchyard/protocol";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ControlPlane } from "../src/server/control-plane";
import { signInCookie, startTestPlanes, type TestPlanes } from "./support/test-plane";

let env: TestPlanes;
let db: TestDatabase;
let plane: ControlPlane;
let replica: ControlPlane;
const sockets: Socket[] = [];
let cookie = "";

type Body = Record<string, unknown> & { error?: { code: string; field?: string; message: string } };

async function http(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Body };
}

async function enroll(name: string, namespaces: string[] = []) {
  const created = await http(plane.url, "POST", "/api/v1/hosts", { name });
  expect(created.status).toBe(201);
  const token = (created.body.enrollment as { token: string }).token;
  const res = await fetch(`${plane.url}/api/v1/agent/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      token,
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: "0.1.0-test",
      hostname: name,
    }),
  });
  const { hostId, credential } = (await res.json()) as { hostId: string; credential: string };
  return { hostId, credential, name, namespaces };
}

/** A scripted agent: records every desired state it is sent. */
class FakeAgent {
  readonly states: DesiredState[] = [];
  private waiters: Array<() => void> = [];
  readonly socket: Socket;

  constructor(base: string, credential: string) {
    this.socket = connect(`${base}/agent`, {
      auth: { credential, protocolVersion: PROTOCOL_VERSION, agentVersion: "0.1.0-test" },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
    });
    sockets.push(this.socket);
    this.socket.on("server:desired-state", (s: DesiredState) => {
      this.states.push(s);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The first desired state received (now or later) matching `pred`. */
  async state(pred: (s: DesiredState) => boolean, timeoutMs = 5000): Promise<DesiredState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.states.find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `no matching desired state within ${timeoutMs} ms (got serials ${this.states.map((s) => s.serial)})`,
        );
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Answers like a reconciler that applied everything (or failed the given endpoints). */
  async answer(state: DesiredState, failed: Record<string, string> = {}) {
    const result: DesiredStateResult = {
      serial: state.serial,
      results: state.endpoints.map((e) =>
        failed[e.id]
          ? { endpointId: e.id, status: "failed", error: failed[e.id] as string, hostIfname: null }
          : {
              endpointId: e.id,
              status: "applied",
              error: null,
              hostIfname: `sy${e.id.slice(0, 8)}h`,
              durationMs: 12,
            },
      ),
      events: [],
    };
    return this.socket.emitWithAck("agent:desired-state-result", result);
  }
}

async function waitFor<T>(
  fn: () => Promise<T | null | undefined | false>,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const operation = async (id: string) =>
  (await http(plane.url, "GET", `/api/v1/operations/${id}`)).body as unknown as Operation;

beforeAll(async () => {
  env = await startTestPlanes(2);
  ({ db } = env);
  [plane, replica] = env.planes as [ControlPlane, ControlPlane];
  cookie = await signInCookie(plane.url);
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await env?.close();
});

const snapshot = async () => ({
  networks: await db.prisma.network.count(),
  pools: await db.prisma.addressPool.count(),
  attachments: await db.prisma.attachment.count(),
  operations: await db.prisma.operation.count(),
  allocations: await db.prisma.addressAllocation.count(),
  serials: (await db.prisma.host.findMany({ orderBy: { name: "asc" } })).map((h) => h.desiredSerial),
});

describe("REST validation: every bad input is a 4xx naming the field, and nothing changes", () => {
  it("networks", async () => {
    const ok = await http(plane.url, "POST", "/api/v1/networks", {
      name: "v100",
      driver: "ovs",
      subnet: "192.168.0.0/24",
      vlan: 100,
      uplink: "eth1",
    });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({
      name: "v100",
      bridgeName: "ovs0",
      vlan: 100,
      poolName: "subnet-192.168.0.0-24",
      attachmentCount: 0,
    });
    const cases: [unknown, number, string][] = [
      [{ name: "a", driver: "ovs", subnet: "10.0.0.0/24", vlan: 0 }, 422, "vlan"],
      [{ name: "a", driver: "ovs", subnet: "10.0.0.0/24", vlan: 4095 }, 422, "vlan"],
      [{ name: "a", driver: "ovs", subnet: "10.0.0.0/24", vlan: "100" }, 422, "vlan"],
      [
        { name: "a", driver: "ovs", subnet: "10.0.0.0/24", bridgeName: "sixteen-bytes-xx" },
        422,
        "bridgeName",
      ],
      [{ name: "a", driver: "bridge", subnet: "10.0.0.0/24", uplink: "eth 1" }, 422, "uplink"],
      [{ name: "a", driver: "bridge", subnet: "10.0.0.0/24", uplink: "eth/1" }, 422, "uplink"],
      [{ name: "a", driver: "bridge", subnet: "10.0.0.0/24", uplink: "eth%1" }, 422, "uplink"],
      [{ name: "a", driver: "bridge", subnet: "10.0.0.0/33" }, 422, "subnet"],
      [{ name: "a", driver: "wifi", subnet: "10.0.0.0/24" }, 422, "driver"],
      [{ name: "a", driver: "vxlan", subnet: "10.0.0.0/24" }, 422, "vni"],
      [{ name: "a", driver: "vxlan", subnet: "10.0.0.0/24", vni: 0 }, 422, "vni"],
      [{ driver: "bridge", subnet: "10.0.0.0/24" }, 422, "name"],
      [
        { name: "a", driver: "bridge", subnet: "10.0.0.0/24", hostOverrides: { ghost: {} } },
        422,
        "hostOverrides.ghost",
      ],
      [{ name: "v100", driver: "ovs", subnet: "10.9.0.0/24", vlan: 9 }, 409, "name"],
      [{ name: "clash", driver: "ovs", subnet: "192.168.0.0/25", vlan: 100 }, 409, "subnet"],
    ];
    for (const [body, status, field] of cases) {
      const before = await snapshot();
      const res = await http(plane.url, "POST", "/api/v1/networks", body);
      expect([JSON.stringify(body), res.status, res.body.error?.field]).toEqual([
        JSON.stringify(body),
        status,
        field,
      ]);
      expect(res.body.error?.message).toBeTruthy();
      expect(await snapshot()).toEqual(before);
    }
    expect((await http(plane.url, "GET", "/api/v1/networks/nope")).status).toBe(404);
    const viewer = await fetch(`${plane.url}/api/v1/networks`, { method: "POST", body: "{}" });
    expect(viewer.status).toBe(401);
  });

  it("attachments", async () => {
    await enroll("val-h1");
    await http(plane.url, "POST", "/api/v1/networks", {
      name: "v200",
      driver: "ovs",
      subnet: "192.168.0.0/24",
      vlan: 200,
      uplink: "eth1",
    });
    const cases: [unknown, number, string][] = [
      [{ container: "netns:c", network: "v100" }, 422, "host"],
      [{ host: "val-h1", network: "v100" }, 422, "container"],
      [{ host: "val-h1", container: { runtime: "lxc", ref: "x" }, network: "v100" }, 422, "container"],
      [{ host: "val-h1", container: "netns:c" }, 422, "network"],
      [{ host: "val-h1", container: "netns:c", network: "v100", ifname: "0123456789abcdef" }, 422, "ifname"],
      [{ host: "val-h1", container: "netns:c", network: "v100", ifname: "eth 1" }, 422, "ifname"],
      [{ host: "val-h1", container: "netns:c", network: "v100", ifname: "a%b" }, 422, "ifname"],
      [{ host: "val-h1", container: "netns:c", network: "v100", address: "300.1.1.1" }, 422, "address"],
      [{ host: "val-h1", container: "netns:c", network: "v100", address: "10.1.1.1" }, 422, "address"],
      [{ host: "val-h1", container: "netns:c", network: "v100", mac: "02:00:00" }, 422, "mac"],
      [
        { host: "val-h1", container: "netns:c", network: "v100", setDefaultRoute: true },
        422,
        "setDefaultRoute",
      ],
      [{ host: "ghost", container: "netns:c", network: "v100" }, 404, "host"],
      [{ host: "val-h1", container: "netns:c", network: "ghost" }, 404, "network"],
    ];
    for (const [body, status, field] of cases) {
      const before = await snapshot();
      const res = await http(plane.url, "POST", "/api/v1/attachments", body);
      expect([JSON.stringify(body), res.status, res.body.error?.field]).toEqual([
        JSON.stringify(body),
        status,
        field,
      ]);
      expect(await snapshot()).toEqual(before);
    }
    const first = await http(plane.url, "POST", "/api/v1/attachments", {
      host: "val-h1",
      container: "netns:c",
      network: "v100",
      address: "192.168.0.50",
    });
    expect(first.status).toBe(201);
    for (const [body, field] of [
      [{ host: "val-h1", container: "netns:c", network: "v200" }, "ifname"],
      [{ host: "val-h1", container: "netns:d", network: "v200", address: "192.168.0.50" }, "address"],
    ] as const) {
      const before = await snapshot();
      const res = await http(plane.url, "POST", "/api/v1/attachments", body);
      expect([res.status, res.body.error?.field]).toEqual([409, field]);
      expect(await snapshot()).toEqual(before);
    }
    const del = await http(plane.url, "DELETE", "/api/v1/networks/v100");
    expect([del.status, del.body.error?.field]).toEqual([409, "id"]);
    expect((await http(plane.url, "GET", "/api/v1/attachments/nope")).status).toBe(404);
    expect((await http(plane.url, "GET", "/api/v1/operations/nope")).status).toBe(404);
    expect((await http(plane.url, "GET", "/api/v1/operations?status=bogus")).body.error?.field).toBe(
      "query.status",
    );
  });
});

describe("desired state through the hub", () => {
  it("attach on one replica reaches the agent on the other; results close the operation; the UI hears it", async () => {
    const h = await enroll("hub-h1");
    const a = new FakeAgent(replica.url, h.credential);
    const initial = await a.state(() => true);
    expect(initial.endpoints).toEqual([]);
    const ui = connect(`${plane.url}/ui`, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      extraHeaders: { cookie },
    });
    sockets.push(ui);
    const opEvents: Operation[] = [];
    const attEvents: Attachment[] = [];
    ui.on("operation:changed", (p: { operation: Operation }) => opEvents.push(p.operation));
    ui.on("attachment:changed", (p: { attachment: Attachment }) => attEvents.push(p.attachment));
    await new Promise((r) => ui.on("connect", () => r(null)));

    const res = await http(plane.url, "POST", "/api/v1/attachments", {
      host: "hub-h1",
      container: "netns:con1",
      network: "v100",
      mac: "02:AA:00:00:00:01",
      reason: "seed",
    });
    expect(res.status).toBe(201);
    const { attachment, operation: op } = res.body as unknown as {
      attachment: Attachment;
      operation: Operation;
    };
    const pushed = await a.state((s) => s.endpoints.some((e) => e.id === attachment.id));
    expect(pushed.serial).toBe(op.serial);
    expect(pushed.networks).toEqual([
      expect.objectContaining({
        name: "v100",
        driver: "ovs",
        vlan: 100,
        bridgeName: "ovs0",
        uplink: "eth1",
        prefixLength: 24,
      }),
    ]);
    expect(pushed.endpoints[0]).toMatchObject({
      container: { runtime: "netns", ref: "con1" },
      ifname: "eth1",
      address: attachment.address,
      mac: "02:aa:00:00:00:01",
    });
    await waitFor(async () => (await operation(op.id)).status === "sent", "operation sent");

    expect(await a.answer(pushed)).toEqual({ ok: true });
    const done = await waitFor(async () => {
      const o = await operation(op.id);
      return o.status === "applied" ? o : null;
    }, "operation applied");
    expect(done).toMatchObject({ durationMs: 12, requestedBy: "admin@switchyard.local", reason: "seed" });
    const att = (await http(plane.url, "GET", `/api/v1/attachments/${attachment.id}`))
      .body as unknown as Attachment;
    expect(att).toMatchObject({ status: "applied", hostIfname: `sy${attachment.id.slice(0, 8)}h` });
    await waitFor(
      async () => opEvents.some((o) => o.id === op.id && o.status === "applied"),
      "operation:changed applied",
    );
    expect(opEvents.filter((o) => o.id === op.id).map((o) => o.status)).toEqual([
      "pending",
      "sent",
      "applied",
    ]);
    expect(attEvents.filter((x) => x.id === attachment.id).map((x) => x.status)).toEqual([
      "pending",
      "applied",
    ]);
    expect((await db.prisma.host.findUniqueOrThrow({ where: { id: h.hostId } })).appliedSerial).toBe(
      pushed.serial,
    );

    // a failing endpoint: the operation fails with the agent's own error text
    const bad = await http(plane.url, "POST", "/api/v1/attachments", {
      host: "hub-h1",
      container: "netns:ghost",
      network: "v200",
    });
    const badOp = (bad.body as unknown as { operation: Operation }).operation;
    const badState = await a.state((s) => s.serial >= badOp.serial);
    const badId = (bad.body as unknown as { attachment: Attachment }).attachment.id;
    await a.answer(badState, { [badId]: 'netns "ghost" not found' });
    await waitFor(async () => (await operation(badOp.id)).status === "failed", "operation failed");
    expect((await operation(badOp.id)).error).toBe('netns "ghost" not found');

    // detach: the endpoint leaves the state; the agent's answer releases the address
    const del = await http(plane.url, "DELETE", `/api/v1/attachments/${attachment.id}`, {
      reason: "retired",
    });
    expect(del.status).toBe(202);
    const detachOp = (del.body as unknown as { operation: Operation }).operation;
    expect(detachOp).toMatchObject({ kind: "detach", status: "pending", reason: "retired" });
    const without = await a.state((s) => s.serial >= detachOp.serial);
    expect(without.endpoints.map((e) => e.id)).not.toContain(attachment.id);
    await a.answer(without);
    await waitFor(async () => (await operation(detachOp.id)).status === "applied", "detach applied");
    const gone = (await http(plane.url, "GET", `/api/v1/attachments/${attachment.id}`))
      .body as unknown as Attachment;
    expect(gone.status).toBe("detached");
    const alloc = await db.prisma.addressAllocation.findUniqueOrThrow({
      where: { id: attachment.allocationId as string },
    });
    expect(alloc.releasedAt).not.toBeNull();

    const list = await http(plane.url, "GET", "/api/v1/operations?host=hub-h1");
    const ops = list.body.operations as Operation[];
    expect(ops.map((o) => o.id).slice(0, 3)).toEqual([detachOp.id, badOp.id, op.id]);
    const failedOnly = await http(plane.url, "GET", "/api/v1/operations?host=hub-h1&status=failed");
    expect((failedOnly.body.operations as Operation[]).map((o) => o.id)).toEqual([badOp.id]);
    const atts = await http(plane.url, "GET", "/api/v1/attachments?host=hub-h1");
    expect((atts.body.attachments as Attachment[]).map((x) => x.id)).toEqual([badId]);
    const net = (await http(plane.url, "GET", "/api/v1/networks/v200")).body as unknown as Network;
    expect(net.attachmentCount).toBeGreaterThanOrEqual(1);
  });

  it("an offline host's operations stay pending and are sent when its agent connects", async () => {
    const h = await enroll("off-h1");
    const res = await http(plane.url, "POST", "/api/v1/attachments", {
      host: "off-h1",
      container: "netns:late",
      network: "v100",
    });
    const { attachment, operation: op } = res.body as unknown as {
      attachment: Attachment;
      operation: Operation;
    };
    await new Promise((r) => setTimeout(r, 300));
    expect((await operation(op.id)).status).toBe("pending");
    const a = new FakeAgent(plane.url, h.credential);
    const state = await a.state((s) => s.endpoints.some((e) => e.id === attachment.id));
    await waitFor(async () => (await operation(op.id)).status === "sent", "sent on connect");
    await a.answer(state);
    await waitFor(async () => (await operation(op.id)).status === "applied", "applied after connect");
    // reconnecting: the agent gets the whole current state again
    a.socket.close();
    const again = new FakeAgent(replica.url, h.credential);
    const resent = await again.state(() => true);
    expect(resent.endpoints.map((e) => e.id)).toEqual([attachment.id]);
  });
});
