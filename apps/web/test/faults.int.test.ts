/**
 * Faults the control plane must live through, on a PostgreSQL of this file's own (the suite's shared
 * server cannot be restarted under the other files):
 * - intent written but never pushed (the replica that wrote it died before its push): the agent's next
 *   heartbeat shows the gap and the replica holding its socket pushes the state;
 * - PostgreSQL stopped and started again: requests get 503 `unavailable` meanwhile, the agent's socket
 *   stays up, and everything works again without restarting the control plane.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  createPrisma,
  type EmbeddedDatabase,
  type PrismaClient,
  startEmbeddedPostgres,
} from "@switchyard/db";
import { waitFor } from "@switchyard/netops/testkit";
import { apiRoutes, PROTOCOL_VERSION } from "@switchyard/protocol";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../src/server/config";
import { type ControlPlane, startControlPlane } from "../src/server/control-plane";
import { Api, createAdminToken } from "./support/api";
import { TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD } from "./support/test-plane";

let dir: string;
let pgPort: number;
let pg: EmbeddedDatabase;
let prisma: PrismaClient;
let plane: ControlPlane;
let api: Api;
let agent: Socket;
let hostId: string;
const pushes: number[] = [];

const startPg = () => startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: pgPort });

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sy-faults-"));
  await chmod(dir, 0o755); // the postgres user reaches its data directory below this one
  pgPort = 20_000 + Math.floor(Math.random() * 20_000);
  pg = await startPg();
  prisma = createPrisma(pg.url);
  plane = await startControlPlane(
    loadConfig({
      DATABASE_URL: pg.url,
      PORT: "0",
      HOST: "127.0.0.1",
      SWITCHYARD_UI: "false",
      SWITCHYARD_LOCAL_AGENT: "false",
      LOG_LEVEL: "silent",
      SOCKET_ADAPTER: "memory",
      SWITCHYARD_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD,
      HEARTBEAT_INTERVAL_MS: "200",
      OFFLINE_AFTER_MS: "60000",
    }),
  );
  api = new Api(plane.url, await createAdminToken(plane.url, TEST_ADMIN_EMAIL, TEST_ADMIN_PASSWORD));
  const created = await api.call(apiRoutes.createHost, { body: { name: "fault-1" } });
  const enrolled = await api.call(apiRoutes.enroll, {
    body: {
      token: created.enrollment.token,
      protocolVersion: PROTOCOL_VERSION,
      agentVersion: "0.1.0-test",
      hostname: "fault-1.lab",
    },
  });
  hostId = enrolled.hostId;
  agent = connect(`${plane.url}/agent`, {
    auth: { credential: enrolled.credential, protocolVersion: PROTOCOL_VERSION, agentVersion: "0.1.0-test" },
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
  });
  agent.on("server:desired-state", (state: { serial: number }) => pushes.push(state.serial));
  await waitFor("the first desired state", 10_000, async () => pushes.length > 0);
}, 120_000);

afterAll(async () => {
  agent?.close();
  await plane?.close().catch(() => {});
  await prisma?.$disconnect().catch(() => {});
  await pg?.stop().catch(() => {});
  if (dir) await rm(dir, { recursive: true, force: true });
});

const heartbeat = (appliedSerial: number) =>
  agent.timeout(5_000).emitWithAck("agent:heartbeat", { sentAt: new Date().toISOString(), appliedSerial });

it("intent written but never pushed reaches the agent at its next heartbeat", async () => {
  const applied = pushes.at(-1) ?? 0;
  // What a replica that died between its commit and its push leaves behind: a serial nobody sent.
  const host = await prisma.host.update({ where: { id: hostId }, data: { desiredSerial: { increment: 1 } } });
  expect(pushes).not.toContain(host.desiredSerial);
  expect(await heartbeat(applied)).toEqual({ ok: true });
  await waitFor("the state pushed after the heartbeat", 10_000, async () =>
    pushes.includes(host.desiredSerial),
  );
  // Sent once: the next heartbeat, still behind, does not push it again.
  const count = pushes.length;
  expect(await heartbeat(applied)).toEqual({ ok: true });
  expect(pushes.length).toBe(count);
});

it("a PostgreSQL restart: 503 meanwhile, the agent stays connected, recovery without a restart", async () => {
  expect((await fetch(`${plane.url}/api/v1/health`)).status).toBe(200);
  await prisma.$disconnect();
  await pg.stop();

  const health = await fetch(`${plane.url}/api/v1/health`);
  expect(health.status).toBe(503);
  const hosts = await fetch(`${plane.url}/api/v1/hosts`, {
    headers: { authorization: `Bearer ${api.token}` },
  });
  expect(hosts.status).toBe(503);
  expect(hosts.headers.get("retry-after")).toBe("5");
  expect(((await hosts.json()) as { error: { code: string } }).error.code).toBe("unavailable");
  const refused = (await heartbeat(pushes.at(-1) ?? 0)) as { ok: boolean; error?: { code: string } };
  expect(refused).toMatchObject({ ok: false, error: { code: "unavailable" } });
  expect(agent.connected).toBe(true);

  pg = await startPg();
  prisma = createPrisma(pg.url);
  await waitFor(
    "the API to answer again",
    30_000,
    async () =>
      (await fetch(`${plane.url}/api/v1/hosts`, { headers: { authorization: `Bearer ${api.token}` } }))
        .status === 200,
  );
  expect(await heartbeat(pushes.at(-1) ?? 0)).toEqual({ ok: true });
  expect(agent.connected).toBe(true);
  expect((await api.host("fault-1")).status).toBe("online");
}, 90_000);
