/**
 * The REST contract table against a real server on a real database: every route in `apiRoutes` is called
 * once with a valid request, answers its declared status, and its body passes its declared schema, checked
 * twice (the server's VALIDATE_RESPONSES turns a mismatch into a 500; the client parses with the same
 * schema). A route added to the table without a call here fails the coverage check at the end. The
 * generated OpenAPI document passes `redocly lint`.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { createUser, ingestInventory } from "@switchyard/control";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import {
  type AnyApiRoute,
  type ApiRouteId,
  apiRoutes,
  buildRequest,
  type CallInput,
  PROTOCOL_VERSION,
  type RouteResponse,
  readResponse,
} from "@switchyard/protocol";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type ApiHandler, createApiHandler } from "../src/server/api/handler";
import { type HubPort, noopHub } from "../src/server/broadcast";
import { netnsInventory } from "./support/netns-inventory";

const run = promisify(execFile);
const repoRoot = path.resolve(import.meta.dirname, "../../..");

let db: TestDatabase;
let api: ApiHandler;
const covered = new Set<string>();
let auth: Record<string, string> = {};

// The probe route asks an agent; here the answer is scripted, as the contract is what is under test.
const hub: HubPort = {
  ...noopHub,
  repairHost: async () => ({ mode: "report", started: true }),
  probeHost: async () => ({ ok: true, answered: false, macs: [], output: "no reply" }),
  pingFrom: async (_hostId, request) => ({
    sent: request.count,
    received: request.count,
    rttMs: { min: 0.1, avg: 0.2, max: 0.3 },
    error: null,
    output: `${request.count} packets transmitted, ${request.count} received`,
  }),
};

/** Two named namespaces in one subnet, as h1's agent would report them (for the trace test). */
const traceInventory = netnsInventory("h1", { ta: "10.76.0.10", tb: "10.76.0.11" });

/** Calls one route as a client would and returns its parsed success body; fails on anything else. */
async function call<R extends AnyApiRoute>(
  route: R,
  input: CallInput<R>,
  headers: Record<string, string> = auth,
): Promise<{ value: RouteResponse<R>; response: Response }> {
  const request = buildRequest(route, input);
  const response = await api(
    new Request(`http://localhost${request.path}`, {
      method: request.method,
      headers: { ...headers, ...(request.body !== undefined ? { "content-type": "application/json" } : {}) },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    }),
  );
  const text = await response.clone().text();
  const json = route.response === null ? text : text ? (JSON.parse(text) as unknown) : null;
  const out = readResponse(route, response.status, json);
  if (!out.ok) throw new Error(`${route.id}: HTTP ${response.status} ${text.slice(0, 500)}`);
  expect(response.status, route.id).toBe(route.status);
  covered.add(route.id);
  return { value: out.value, response };
}

const value = async <R extends AnyApiRoute>(route: R, input: CallInput<R>) =>
  (await call(route, input)).value;

beforeAll(async () => {
  db = await createTestDatabase();
  const now = () => new Date();
  api = createApiHandler({
    prisma: db.prisma,
    now,
    logger: pino({ level: "silent" }),
    hub,
    version: "test",
    config: {
      sessionTtlMs: 3_600_000,
      enrollmentTtlMs: 3_600_000,
      cookieSecure: false,
      validateResponses: true,
      leaks: { graceMs: 0, hostOfflineGraceMs: 0, webhookUrl: null },
    },
  });
  await createUser(
    { prisma: db.prisma, now },
    { email: "admin@example.com", password: "admin-pw-1", role: "admin" },
  );
});
afterAll(async () => {
  await db?.drop();
});

it("every route answers its declared status with a body its schema accepts", async () => {
  expect((await value(apiRoutes.health, {})).protocolVersion).toBe(PROTOCOL_VERSION);
  await call(apiRoutes.openApi, {});

  const signIn = await call(
    apiRoutes.signIn,
    { body: { email: "admin@example.com", password: "admin-pw-1" } },
    {},
  );
  const cookie = signIn.response.headers.get("set-cookie")?.split(";")[0] ?? "";
  const created = (await call(apiRoutes.createToken, { body: { name: "contract" } }, { cookie })).value;
  auth = { authorization: `Bearer ${created.token}` };
  await call(apiRoutes.createToken, { body: { name: "second" } });
  expect((await value(apiRoutes.me, {})).email).toBe("admin@example.com");
  expect((await value(apiRoutes.listTokens, {})).tokens.length).toBe(2);

  // Hosts: one enrolled through the agent route, one offline holding an address (a leak).
  const h1 = await value(apiRoutes.createHost, { body: { name: "h1" } });
  await value(apiRoutes.enroll, {
    body: {
      token: h1.enrollment.token,
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: "test",
      hostname: "h1",
    },
  });
  await value(apiRoutes.issueEnrollmentToken, { params: { id: "h1" } });
  expect((await value(apiRoutes.getHost, { params: { id: "h1" } })).name).toBe("h1");
  await value(apiRoutes.listHosts, {});
  await value(apiRoutes.topology, {});
  await value(apiRoutes.fleetSummary, {});
  await value(apiRoutes.fleetSearch, { query: { q: "h1" } });
  expect((await value(apiRoutes.fleetSummary, {})).hosts.map((h) => h.name)).toEqual(["h1"]);
  const h1Id = (await value(apiRoutes.getHost, { params: { id: "h1" } })).id;
  expect((await value(apiRoutes.fleetSummary, { query: { hosts: h1Id } })).hosts).toHaveLength(1);
  expect((await value(apiRoutes.fleetSearch, { query: { q: "h1" } })).matches[0]?.kind).toBe("host");
  // The trace test: h1 online with two namespaces in one subnet; its agent's pings are scripted above.
  await ingestInventory({ prisma: db.prisma, now: () => new Date() }, h1Id, traceInventory);
  await db.prisma.host.update({ where: { id: h1Id }, data: { status: "online" } });
  const tested = await value(apiRoutes.testTrace, {
    body: { from: { hostId: h1Id, containerId: "ta" }, to: { hostId: h1Id, containerId: "tb" } },
  });
  expect(tested.directions.map((d) => [d.address, d.ok])).toEqual([
    ["10.76.0.11", true],
    ["10.76.0.10", true],
  ]);
  const h2 = await db.prisma.host.create({
    data: { name: "h2", status: "offline", lastSeenAt: new Date(Date.now() - 3_600_000) },
  });

  await value(apiRoutes.createPool, { body: { name: "p1", cidr: "10.77.0.0/24" } });
  await value(apiRoutes.listPools, {});
  await value(apiRoutes.getPool, { params: { id: "p1" } });
  const allocation = await value(apiRoutes.allocate, { params: { id: "p1" }, body: { hostId: h2.id } });
  await value(apiRoutes.listAllocations, { params: { id: "p1" }, query: { state: "all" } });
  const forecast = await value(apiRoutes.poolForecast, { params: { id: "p1" } });
  expect(forecast.series.points.at(-1)?.held).toBe(1);
  await value(apiRoutes.addressHistory, { query: { pool: "p1", address: allocation.address } });

  await value(apiRoutes.createNetwork, {
    body: { name: "n1", driver: "bridge", subnet: "10.78.0.0/24", uplink: "eth1" },
  });
  await value(apiRoutes.createNetwork, { body: { name: "n2", driver: "bridge", subnet: "10.79.0.0/24" } });
  await value(apiRoutes.listNetworks, {});
  await value(apiRoutes.getNetwork, { params: { id: "n1" } });
  await value(apiRoutes.deleteNetwork, { params: { id: "n2" }, body: { reason: "contract" } });

  const attached = await value(apiRoutes.attach, {
    body: { host: "h1", network: "n1", container: "docker:c1" },
  });
  await value(apiRoutes.listAttachments, { query: { all: "true" } });
  await value(apiRoutes.getAttachment, { params: { id: attached.attachment.id } });
  await value(apiRoutes.listOperations, { query: { host: "h1" } });
  await value(apiRoutes.getOperation, { params: { id: attached.operation.id } });
  await value(apiRoutes.listEvents, {});
  const second = await value(apiRoutes.attach, {
    body: { host: "h1", network: "n1", container: "docker:c2" },
  });
  await value(apiRoutes.detach, { params: { id: second.attachment.id }, body: {} });

  // c1 applied (as its agent would report), then its host goes quiet: a host_offline finding at once.
  await db.prisma.attachment.update({
    where: { id: attached.attachment.id },
    data: { status: "applied", appliedAt: new Date() },
  });
  // c1 is in no inventory of h1: one drift item, and the same count on h1's map row; its agent asked to repair.
  const drift = await value(apiRoutes.hostDrift, { params: { id: "h1" } });
  expect(drift.items.map((i) => [i.kind, i.container])).toEqual([["missing_veth", "docker:c1"]]);
  expect((await value(apiRoutes.fleetSummary, { query: { hosts: h1Id } })).hosts[0]?.drift).toBe(1);
  expect(await value(apiRoutes.repairHost, { params: { id: "h1" } })).toEqual({
    hostId: h1Id,
    mode: "report",
    started: true,
  });
  await db.prisma.host.update({
    where: { name: "h1" },
    data: { status: "offline", lastSeenAt: new Date(Date.now() - 3_600_000) },
  });
  const check = await value(apiRoutes.runLeakCheck, {});
  const finding = check.findings.find((f) => f.address === attached.attachment.address);
  expect(finding?.kind).toBe("host_offline");
  const findingId = finding?.id ?? "";
  await value(apiRoutes.listLeaks, { query: { state: "all" } });
  await value(apiRoutes.getLeak, { params: { id: findingId } });
  expect((await value(apiRoutes.probeLeak, { params: { id: findingId } })).probe?.answered).toBe(false);
  const released = await value(apiRoutes.releaseLeaks, {
    body: { pool: "n1", address: attached.attachment.address, reason: "contract" },
  });
  const releaseId = released.results[0]?.release?.id ?? "";
  await value(apiRoutes.undoLeakRelease, { params: { id: releaseId }, body: {} });
  await value(apiRoutes.release, {
    params: { id: "p1", address: allocation.address },
    body: { reason: "contract" },
  });

  // Users: create, role, reset by invite, accept, own password, delete.
  const viewer = await value(apiRoutes.createUser, {
    body: { email: "viewer@example.com", role: "viewer", password: "viewer-password-1" },
  });
  await value(apiRoutes.listUsers, {});
  await value(apiRoutes.getUser, { params: { id: viewer.user.id } });
  await value(apiRoutes.updateUser, { params: { id: viewer.user.id }, body: { role: "operator" } });
  const reset = await value(apiRoutes.resetUserPassword, {
    params: { id: viewer.user.id },
    body: { delivery: "invite" },
  });
  await call(
    apiRoutes.acceptInvite,
    { body: { token: reset.invite?.token ?? "", password: "viewer-password-2" } },
    {},
  );
  await call(
    apiRoutes.changePassword,
    { body: { currentPassword: "admin-pw-1", newPassword: "admin-password-2" } },
    { cookie },
  );
  await value(apiRoutes.deleteUser, { params: { id: viewer.user.id } });
  await value(apiRoutes.listAudit, {});

  const metrics = await call(apiRoutes.metrics, {});
  expect(metrics.response.headers.get("content-type")).toContain("text/plain");
  await value(apiRoutes.revokeHost, { params: { id: "h1" }, body: { reason: "contract" } });
  await value(apiRoutes.revokeToken, { params: { id: created.id } });
  await call(apiRoutes.signOut, {}, { cookie });

  const missing = (Object.keys(apiRoutes) as ApiRouteId[]).filter((id) => !covered.has(id));
  expect(missing, "routes without a call in this test").toEqual([]);
});

it("the generated OpenAPI document passes redocly lint", async () => {
  const response = await api(new Request("http://localhost/api/v1/openapi.json"));
  const doc = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
  expect(doc.openapi).toBe("3.1.0");
  expect(Object.keys(doc.paths)).toContain("/api/v1/hosts/{id}");
  const dir = await mkdtemp(path.join(tmpdir(), "switchyard-openapi-"));
  try {
    const file = path.join(dir, "openapi.json");
    await writeFile(file, JSON.stringify(doc));
    const redocly = path.join(repoRoot, "node_modules/.bin/redocly");
    // Exit status 1 on any error; warnings are refused too, so the document stays clean.
    const { stdout } = await run(redocly, ["lint", "--format=json", file], { timeout: 60_000 }).catch(
      (err: { stdout?: string }) => ({ stdout: err.stdout ?? "" }),
    );
    const report = JSON.parse(stdout) as {
      totals: { errors: number; warnings: number };
      problems: unknown[];
    };
    expect(report.problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
