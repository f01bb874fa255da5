import {
  applyDesiredStateResult,
  attachContainer,
  createApiToken,
  createNetwork,
  createUser,
  ingestInventory,
  toUserDto,
} from "@switchyard/control";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import type {
  Inventory,
  LeakCheckResult,
  LeakFinding,
  LeakList,
  LeakReleaseResponse,
} from "@switchyard/protocol";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FetchFn } from "../../cli/src/api";
import { invoke, loggedIn } from "../../cli/test/helpers";
import { type ApiHandler, createApiHandler } from "../src/server/api/handler";
import { type HubPort, noopHub } from "../src/server/broadcast";

let db: TestDatabase;
let api: ApiHandler;
let fetch: FetchFn;
let token = "";
let config = loggedIn;
let clock = new Date("2026-11-27T21:00:00Z");
const tick = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
const calls: string[] = [];
const hub: HubPort = {
  ...noopHub,
  hostChanged: () => {},
  inventoryChanged: () => {},
  disconnectHost: () => {},
  disconnectCredential: () => {},
  desiredStateChanged: (ids) => calls.push(`push:${ids.join(",")}`),
  leaksChanged: (ids) => calls.push(`leaks:${ids.length}`),
  probeHost: async (hostId, req) => {
    calls.push(`probe:${hostId}:${req.iface}:${req.address}`);
    return { ok: true, answered: true, macs: ["02:42:ac:11:00:02"], output: "Unicast reply" };
  },
};
let hostId = "";
let address = "";

const yard = (...argv: string[]) => invoke(argv, { fetch, config, now: clock });
async function call<T>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await api(
    new Request(`http://localhost/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
  );
  const text = await res.text();
  return { status: res.status, body: (text.startsWith("{") ? JSON.parse(text) : text) as T };
}

const report = async (containers: Inventory["containers"]) => {
  tick(1000);
  const inv: Inventory = {
    collectedAt: clock.toISOString(),
    hostname: "web-leak-1",
    interfaces: [],
    bridges: [],
    ovs: { available: false, error: null, bridges: [] },
    namespaces: [],
    docker: { available: true, error: null },
    containers,
  };
  await ingestInventory({ prisma: db.prisma, now: () => clock }, hostId, inv);
  await db.prisma.host.update({ where: { id: hostId }, data: { lastSeenAt: clock, status: "online" } });
};
const con1 = (): Inventory["containers"][number] => ({
  id: "c0ffee0123456789c0ffee0123456789",
  name: "con1",
  runtime: "docker",
  state: "running",
  pid: 99,
  interfaces: [
    {
      name: "eth1",
      index: 5,
      kind: "veth",
      mac: null,
      peerIndex: 6,
      addresses: [{ family: "inet", address, prefixLength: 24 }],
    },
  ],
});

beforeAll(async () => {
  db = await createTestDatabase();
  api = createApiHandler({
    prisma: db.prisma,
    now: () => clock,
    logger: pino({ level: "silent" }),
    hub,
    version: "test",
    config: {
      sessionTtlMs: 3_600_000,
      enrollmentTtlMs: 3_600_000,
      cookieSecure: false,
      validateResponses: true,
      leaks: { graceMs: 0, hostOfflineGraceMs: 60_000, webhookUrl: null },
    },
  });
  fetch = (url, init) => api(new Request(url, init));
  const ctx = { prisma: db.prisma, now: () => clock };
  const user = await createUser(ctx, {
    email: "oncall@example.com",
    password: "oncall-password-1",
    role: "operator",
  });
  token = (
    await createApiToken(ctx, { user: toUserDto(user), via: "session", credentialId: "s" }, { name: "cli" })
  ).token;
  config = { ...loggedIn, token };
  hostId = (
    await db.prisma.host.create({ data: { name: "web-leak-1", status: "online", lastSeenAt: clock } })
  ).id;
  await createNetwork(
    ctx,
    { type: "user", id: user.id, name: user.email },
    {
      name: "lan",
      driver: "bridge",
      subnet: "10.10.103.0/24",
      gateway: "10.10.103.254",
      uplink: "eth1",
    },
  );
  const { attachment } = await attachContainer(
    ctx,
    { type: "user", id: user.id, name: user.email },
    {
      host: "web-leak-1",
      network: "lan",
      container: "docker:con1",
    },
  );
  address = attachment.address;
  const h = await db.prisma.host.findUniqueOrThrow({ where: { id: hostId } });
  await applyDesiredStateResult(ctx, hostId, {
    serial: h.desiredSerial,
    results: [{ endpointId: attachment.id, status: "applied", error: null, hostIfname: "sycon1" }],
    events: [],
  });
  await report([con1()]);
});
afterAll(async () => {
  await db?.drop();
});

describe("leaks through the API and yardctl", () => {
  it("ipam check: nothing while the container lives; container_gone once it is removed", async () => {
    let out = await yard("ipam", "check", "--json");
    expect(out.code).toBe(0);
    expect((JSON.parse(out.stdout) as LeakCheckResult).findings).toEqual([]);
    await report([]);
    out = await yard("ipam", "check");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/1 open, 0 pending/);
    expect(out.stdout).toMatch(new RegExp(`open\\s+container_gone\\s+${address.replace(/\./g, "\\.")}`));
    expect(calls).toContain("leaks:1");
    const list = await call<LeakList>("GET", "/leaks");
    expect(list.status).toBe(200);
    expect(list.body.open).toBe(1);
    expect(list.body.findings[0]).toMatchObject({
      kind: "container_gone",
      hostName: "web-leak-1",
      container: "docker:con1",
    });
    const metrics = await call<string>("GET", "/metrics");
    expect(metrics.body).toContain('switchyard_leak_findings{kind="container_gone",state="open"} 1');
    expect(metrics.body).toContain("switchyard_ipam_pool_allocated_addresses");
  });

  it("probe: the host's agent is asked, the answer is kept on the finding", async () => {
    const id = (await call<LeakList>("GET", "/leaks")).body.findings[0]?.id ?? "";
    const res = await call<LeakFinding>("POST", `/leaks/${id}/probe`);
    expect(res.status).toBe(200);
    expect(res.body.probe).toMatchObject({
      answered: true,
      macs: ["02:42:ac:11:00:02"],
      iface: "br0",
      address,
    });
    expect(calls).toContain(`probe:${hostId}:br0:${address}`);
  });

  it("release refused (409, exit 1) when the container came back", async () => {
    await report([con1()]);
    const res = await call<{ error: { code: string; message: string } }>("POST", "/leaks/release", {
      pool: "lan",
      address,
      reason: "cleanup",
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/not leaked any more/);
    const out = await yard("ipam", "release", address, "--pool", "lan", "--reason", "cleanup");
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/not leaked any more/);
  });

  it("release through yardctl; history; undo; batch results", async () => {
    await report([]);
    calls.length = 0;
    let out = await yard("ipam", "release", address, "--pool", "lan", "--reason", "con1 removed by hand");
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(new RegExp(`^Released ${address.replace(/\./g, "\\.")} \\(container_gone: `));
    expect(calls).toContain(`push:${hostId}`);
    out = await yard("ipam", "history", address, "--pool", "lan");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/allocated/);
    expect(out.stdout).toMatch(/leak_release\s+oncall@example.com\s+web-leak-1\s+con1 removed by hand/);
    out = await yard("ipam", "release", address, "--pool", "lan", "--undo", "--reason", "oops");
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^Restored /);
    const batch = await call<LeakReleaseResponse>("POST", "/leaks/release", {
      reason: "batch",
      items: [
        { pool: "lan", address },
        { pool: "lan", address: "10.10.103.77" },
      ],
    });
    expect(batch.status).toBe(200);
    // The restored attachment is pending again (attach in flight): refused; .77 was never allocated.
    expect(batch.body.results.map((r) => [r.ok, r.error?.code])).toEqual([
      [false, "conflict"],
      [false, "not_found"],
    ]);
  });
});
