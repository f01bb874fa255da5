/**
 * /metrics of a real control plane: an enrolled host whose (scripted) agent answers an attach, a pending
 * host, a pool with an allocation. Prometheus' own checker (`promtool check metrics`, Debian
 * `prometheus`) accepts the page; the values are the database's; the database-derived part costs the
 * same number of queries with one pool or five. The shipped alert rules pass `promtool check rules`
 * and their unit tests (`promtool test rules`).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { renderHostMetrics, renderIpamMetrics, renderLeakMetrics } from "@switchyard/control";
import type { PrismaClient } from "@switchyard/db";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import {
  type DesiredState,
  type DesiredStateResult,
  type Operation,
  PROTOCOL_VERSION,
} from "@switchyard/protocol";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/server/config";
import { type ControlPlane, startControlPlane } from "../src/server/control-plane";

const PROMTOOL = "promtool";
const RULES_DIR = fileURLToPath(new URL("../../../deploy/prometheus/", import.meta.url));
const ADMIN_PASSWORD = "admin-pw-for-metrics";

let db: TestDatabase;
let plane: ControlPlane;
let cookie = "";
let agent: Socket | null = null;

async function http(method: string, path: string, body?: unknown) {
  const res = await fetch(`${plane.url}${path}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function promtool(args: string[], input?: string) {
  const r = spawnSync(PROMTOOL, args, { input, encoding: "utf8", cwd: RULES_DIR });
  if (r.error) throw new Error(`${PROMTOOL} is needed (Debian package prometheus): ${r.error.message}`);
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** The value of one sample line `name{labels} value` (labels in the page's order), or undefined. */
function sample(page: string, series: string): number | undefined {
  const line = page.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

async function waitFor<T>(what: string, fn: () => Promise<T | null | undefined>, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  db = await createTestDatabase();
  plane = await startControlPlane(
    loadConfig({
      DATABASE_URL: db.url,
      PORT: "0",
      HOST: "127.0.0.1",
      SWITCHYARD_UI: "false",
      LOG_LEVEL: "silent",
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    }),
  );
  const res = await fetch(`${plane.url}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@switchyard.local", password: ADMIN_PASSWORD }),
  });
  cookie = (res.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";

  // m-1: enrolled, its agent connected and answering every desired state with "applied".
  const created = await http("POST", "/api/v1/hosts", { name: "m-1" });
  const token = (created.body.enrollment as { token: string }).token;
  const enrolled = await fetch(`${plane.url}/api/v1/agent/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      token,
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: "0.1.0-test",
      hostname: "m-1",
    }),
  });
  const { credential } = (await enrolled.json()) as { credential: string };
  const socket = connect(`${plane.url}/agent`, {
    auth: { credential, protocolVersion: PROTOCOL_VERSION, agentVersion: "0.1.0-test" },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  agent = socket;
  socket.on("server:desired-state", (state: DesiredState) => {
    const result: DesiredStateResult = {
      serial: state.serial,
      results: state.endpoints.map((e) => ({
        endpointId: e.id,
        status: "applied",
        error: null,
        hostIfname: `sy${e.id.slice(0, 8)}h`,
        durationMs: 5,
      })),
      events: [],
    };
    void socket.emitWithAck("agent:desired-state-result", result);
  });
  await waitFor(
    "m-1 online",
    async () => (await db.prisma.host.findUnique({ where: { name: "m-1" } }))?.status === "online",
  );
  await http("POST", "/api/v1/hosts", { name: "m-2" });

  expect(
    (await http("POST", "/api/v1/networks", { name: "flat", driver: "bridge", subnet: "10.77.0.0/24" }))
      .status,
  ).toBe(201);
  const attach = await http("POST", "/api/v1/attachments", {
    host: "m-1",
    container: "netns:c1",
    network: "flat",
  });
  expect(attach.status).toBe(201);
  const opId = (attach.body.operation as Operation).id;
  await waitFor("the attach applied", async () => {
    const op = (await http("GET", `/api/v1/operations/${opId}`)).body as unknown as Operation;
    return op.status === "applied";
  });
}, 120_000);

afterAll(async () => {
  agent?.close();
  await plane?.close();
  await db?.drop();
});

describe("/metrics", () => {
  it("passes promtool check metrics and carries the process, Node, socket and database metrics", async () => {
    expect((await fetch(`${plane.url}/metrics`)).status).toBe(401);
    const res = await fetch(`${plane.url}/metrics`, { headers: { cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const page = await res.text();

    const checked = promtool(["check", "metrics"], page);
    expect(checked).toEqual({ code: 0, out: "" });

    // Standard process and Node metrics (prom-client's defaults).
    expect(sample(page, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(sample(page, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
    expect(page).toContain("# TYPE nodejs_eventloop_lag_seconds gauge");
    // This process: the connected agent, the attach it answered, the push it acknowledged.
    expect(sample(page, "switchyard_agents_connected")).toBe(1);
    expect(sample(page, 'switchyard_operation_duration_seconds_count{kind="attach",status="applied"}')).toBe(
      1,
    );
    expect(sample(page, 'switchyard_operation_duration_seconds_count{kind="detach",status="failed"}')).toBe(
      0,
    );
    expect(sample(page, "switchyard_desired_state_push_duration_seconds_count")).toBeGreaterThanOrEqual(1);
    // From the database.
    expect(sample(page, 'switchyard_hosts{status="online"}')).toBe(1);
    expect(sample(page, 'switchyard_hosts{status="pending"}')).toBe(1);
    expect(sample(page, 'switchyard_hosts{status="offline"}')).toBe(0);
    expect(sample(page, 'switchyard_host_online{host="m-1"}')).toBe(1);
    expect(page).not.toContain('switchyard_host_online{host="m-2"}');
    expect(sample(page, 'switchyard_host_serial_lag{host="m-1"}')).toBe(0);
    const pool = "subnet-10.77.0.0-24";
    expect(sample(page, `switchyard_ipam_pool_allocated_addresses{pool="${pool}"}`)).toBe(1);
    expect(sample(page, `switchyard_ipam_pool_usable_addresses{pool="${pool}"}`)).toBeGreaterThan(200);
    expect(sample(page, `switchyard_ipam_allocations_total{pool="${pool}"}`)).toBe(1);
    expect(sample(page, `switchyard_ipam_host_allocated_addresses{pool="${pool}",host="m-1"}`)).toBe(1);
    expect(sample(page, 'switchyard_leak_findings{kind="container_gone",state="open"}')).toBe(0);
    expect(sample(page, "switchyard_leak_webhook_pending")).toBe(0);
    expect(sample(page, "switchyard_leak_releases_total")).toBe(0);
  });

  it("reads the database in a fixed number of queries, however many pools", async () => {
    let queries = 0;
    const counting = db.prisma.$extends({
      query: {
        async $allOperations({ args, query }) {
          queries += 1;
          return query(args);
        },
      },
    }) as unknown as PrismaClient;
    const count = async () => {
      queries = 0;
      const now = new Date();
      await Promise.all([
        renderHostMetrics(counting),
        renderIpamMetrics(counting, now),
        renderLeakMetrics(counting, now),
      ]);
      return queries;
    };
    const withOnePool = await count();
    for (const n of [1, 2, 3, 4])
      expect(
        (
          await http("POST", "/api/v1/networks", {
            name: `n${n}`,
            driver: "bridge",
            subnet: `10.78.${n}.0/24`,
          })
        ).status,
      ).toBe(201);
    await http("POST", "/api/v1/attachments", { host: "m-1", container: "netns:c2", network: "n1" });
    expect(await count()).toBe(withOnePool);
    // Hosts 1, IPAM 6 (pools, blocks, held per pool, allocated per pool and host, block owners' counts,
    // open exhaustion alerts), leaks 4.
    expect(withOnePool).toBe(11);
  });

  it("ships alert rules that promtool accepts and whose unit tests pass", () => {
    expect(promtool(["check", "rules", "alerts.yml"])).toMatchObject({ code: 0 });
    const tested = promtool(["test", "rules", "alerts.test.yml"]);
    expect(tested.out).toContain("SUCCESS");
    expect(tested.code).toBe(0);
  });
});
