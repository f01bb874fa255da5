/**
 * End to end, for real (root): a started control plane (UI off) on a test database, a two-host lab
 * (network namespaces with their own OVS on the userspace datapath, trunk uplinks through a switch
 * namespace) and a REAL agent process per host, enrolled through the API and running inside its host's
 * namespace. Containers are named network namespaces. Everything goes through the REST API; the result
 * is checked with real pings and ovs-vsctl.
 *
 * Reaching the control plane from the host namespaces without putting an address in the root namespace:
 * the server listens on 127.0.0.1:PORT in the root namespace; the test bridges it to a unix socket in the
 * lab's directory, and inside every host namespace a small forwarder listens on that namespace's own
 * 127.0.0.1:PORT and pipes each connection to the unix socket. So http://127.0.0.1:PORT is the control
 * plane both for the test and for every agent, and only loopback is used.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, connect as netConnect, type Server } from "node:net";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import {
  controlPlaneHostName,
  createLab,
  enrollLab,
  type Lab,
  type LabContainerState,
  labPrefix,
  startAgent,
} from "@switchyard/lab";
import * as testkit from "@switchyard/netops/testkit";
import type {
  Attachment,
  AttachmentOperation,
  HostDetail,
  Network,
  Operation,
  ReconcileEventList,
} from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/server/config";
import { type ControlPlane, startControlPlane } from "../src/server/control-plane";

const ADMIN_PASSWORD = "admin-pw-for-net-tests";
let db: TestDatabase | undefined;
let plane: ControlPlane | undefined;
let lab: Lab | undefined;
let bridge: Server | undefined;
const forwarders: ChildProcess[] = [];
let token = "";
const c: Record<string, LabContainerState> = {};

const FORWARDER = `
const net = require("node:net");
const [port, sock] = process.argv.slice(1);
net.createServer((conn) => {
  const up = net.connect(sock);
  conn.pipe(up).pipe(conn);
  conn.on("error", () => up.destroy());
  up.on("error", () => conn.destroy());
}).listen(Number(port), "127.0.0.1", () => process.stdout.write("ready\\n"));
`;

function api<T = Record<string, unknown>>(method: string, path: string, body?: unknown) {
  if (!plane) throw new Error("no control plane");
  return fetch(`${plane.url}/api/v1${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as T }));
}

const L = () => {
  if (!lab) throw new Error("no lab");
  return lab;
};
const hostName = (h: string) => controlPlaneHostName(L().state, h);

async function startForwarder(netns: string, port: number, sock: string): Promise<void> {
  const child = spawn("ip", ["netns", "exec", netns, process.execPath, "-e", FORWARDER, String(port), sock], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  forwarders.push(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`forwarder in ${netns} did not start`)), 10_000);
    child.stdout?.once("data", () => {
      clearTimeout(timer);
      resolve();
    });
    child.once("exit", (code) => reject(new Error(`forwarder in ${netns} exited ${code}`)));
  });
}

async function attach(host: string, container: string, network: string): Promise<AttachmentOperation> {
  const con = c[container];
  if (!con) throw new Error(`no container ${container}`);
  const res = await api<AttachmentOperation>("POST", "/attachments", {
    host: hostName(host),
    container: `netns:${con.ref}`,
    network,
    reason: `net test ${container}`,
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function finished(op: Operation, timeoutMs = 60_000): Promise<Operation> {
  return testkit.waitFor(`operation ${op.kind} ${op.id} finished`, timeoutMs, async () => {
    const res = await api<Operation>("GET", `/operations/${op.id}`);
    return res.body.status === "applied" || res.body.status === "failed" ? res.body : null;
  });
}

async function appliedAll(ops: Operation[]): Promise<void> {
  for (const op of ops) {
    const done = await finished(op);
    expect(done, JSON.stringify(done)).toMatchObject({ status: "applied", error: null });
  }
}

async function ovsPorts(host: string): Promise<{ name: string; tag: unknown; external_ids: unknown }[]> {
  const db = L().host(host).ovs?.db as string;
  const out = await L().hostExec(host)([
    "ovs-vsctl",
    `--db=${db}`,
    "--format=json",
    "--columns=name,tag,external_ids",
    "list",
    "port",
  ]);
  const table = JSON.parse(out.stdout) as { headings: string[]; data: unknown[][] };
  return table.data.map((row) => Object.fromEntries(table.headings.map((h, i) => [h, row[i]]))) as {
    name: string;
    tag: unknown;
    external_ids: unknown;
  }[];
}

/** OVS's JSON for a map: ["map", [[k, v], ...]]. */
const externalId = (ids: unknown, key: string): string | undefined =>
  ((ids as [string, [string, string][]])[1] ?? []).find(([k]) => k === key)?.[1];

async function liveIdsOn(host: string): Promise<string[]> {
  const res = await api<{ attachments: Attachment[] }>("GET", `/attachments?host=${hostName(host)}`);
  return res.body.attachments.map((a) => a.id);
}

async function linkExists(host: string, name: string): Promise<boolean> {
  try {
    await L().hostExec(host)(["ip", "link", "show", "dev", name]);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  await testkit.requirePrerequisites({
    root: true,
    programs: {
      ip: "iproute2",
      nsenter: "util-linux",
      ping: "iputils-ping",
      arping: "iputils-arping",
      "ovs-vsctl": "openvswitch-switch",
      "ovs-vswitchd": "openvswitch-switch",
    },
  });
  // Agents started by the lab inherit these: quick drift repair, one GARP.
  process.env.SWITCHYARD_RECONCILE_INTERVAL = "2s";
  process.env.SWITCHYARD_GARP_COUNT = "1";
  db = await createTestDatabase();
  plane = await startControlPlane(
    loadConfig({
      DATABASE_URL: db.url,
      PORT: "0",
      HOST: "127.0.0.1",
      SWITCHYARD_UI: "false",
      LOG_LEVEL: "silent",
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      HEARTBEAT_INTERVAL_MS: "1000",
      OFFLINE_AFTER_MS: "5000",
      AGENT_DISCONNECT_GRACE_MS: "500",
    }),
  );
  const signIn = await fetch(`${plane.url}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@switchyard.local", password: ADMIN_PASSWORD }),
  });
  const cookie = (signIn.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
  const created = await fetch(`${plane.url}/api/v1/tokens`, {
    method: "POST",
    headers: { cookie, "content-type": "application/json", origin: plane.url },
    body: JSON.stringify({ name: "net-test" }),
  });
  token = ((await created.json()) as { token: string }).token;
  expect(token).toMatch(/^syt_/);

  lab = await createLab({ hosts: 2, prefix: labPrefix(), routed: true, docker: false });
  const sock = join(lab.state.dir, "control-plane.sock");
  bridge = createServer((conn) => {
    const up = netConnect(plane?.port ?? 0, "127.0.0.1");
    conn.pipe(up).pipe(conn);
    conn.on("error", () => up.destroy());
    up.on("error", () => conn.destroy());
  });
  await new Promise<void>((resolve) => bridge?.listen(sock, resolve));
  for (const h of lab.state.hosts) await startForwarder(h.netns, plane.port, sock);

  for (const [host, name] of [
    ["h1", "con1"],
    ["h1", "con2"],
    ["h2", "con3"],
    ["h2", "con4"],
    ["h2", "con5"],
  ] as const) {
    c[name] = await lab.addNetnsContainer(host, name);
  }
  await enrollLab(lab.state, plane.url, token, () => {});
  for (const h of ["h1", "h2"]) {
    await testkit.waitFor(`${h} online with an inventory`, 60_000, async () => {
      const res = await api<HostDetail>("GET", `/hosts/${hostName(h)}`);
      return res.body.status === "online" && res.body.inventory ? res.body : null;
    });
  }
}, 180_000);

afterAll(async () => {
  for (const f of forwarders) if (f.pid) await testkit.stopPid(f.pid, 2_000).catch(() => undefined);
  await lab?.down();
  await new Promise<void>((resolve) => (bridge ? bridge.close(() => resolve()) : resolve()));
  await plane?.close();
  await db?.drop();
  delete process.env.SWITCHYARD_RECONCILE_INTERVAL;
  delete process.env.SWITCHYARD_GARP_COUNT;
}, 120_000);

describe("attach across hosts through the API, applied by real agents", () => {
  let con1: AttachmentOperation;
  let con3: AttachmentOperation;

  it("the seed's VLAN scenario: VLAN 100 and 200 in one subnet on two hosts; same VLAN pings, cross-VLAN does not", async () => {
    for (const vlan of [100, 200]) {
      const res = await api<Network>("POST", "/networks", {
        name: `v${vlan}`,
        driver: "ovs",
        subnet: "192.168.77.0/24",
        vlan,
        uplink: "eth1",
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    con1 = await attach("h1", "con1", "v100");
    const con2 = await attach("h1", "con2", "v200");
    con3 = await attach("h2", "con3", "v100");
    const con4 = await attach("h2", "con4", "v200");
    const all = [con1, con2, con3, con4];
    expect(new Set(all.map((a) => a.attachment.address)).size).toBe(4);
    await appliedAll(all.map((a) => a.operation));

    for (const a of all) {
      const got = await api<Attachment>("GET", `/attachments/${a.attachment.id}`);
      expect(got.body).toMatchObject({ status: "applied", error: null });
      expect(got.body.hostIfname).toMatch(/^sy[0-9a-f]{8}h$/);
    }
    // OVS: access ports tagged with the network's VLAN and naming the attachment
    const h1Ports = await ovsPorts("h1");
    const port1 = h1Ports.find(
      (p) => externalId(p.external_ids, "switchyard-attachment") === con1.attachment.id,
    );
    expect(port1?.tag).toBe(100);
    const port2 = h1Ports.find(
      (p) => externalId(p.external_ids, "switchyard-attachment") === con2.attachment.id,
    );
    expect(port2?.tag).toBe(200);

    const addr = (a: AttachmentOperation) => a.attachment.address;
    const con = (n: string) => c[n] as LabContainerState;
    expect(await L().pings(con("con1"), addr(con3))).toBe(true);
    expect(await L().pings(con("con3"), addr(con1))).toBe(true);
    expect(await L().pings(con("con2"), addr(con4))).toBe(true);
    expect(await L().pings(con("con1"), addr(con4), 2)).toBe(false);
    expect(await L().pings(con("con2"), addr(con3), 2)).toBe(false);

    const hosts = await Promise.all(
      ["h1", "h2"].map((h) => db?.prisma.host.findUniqueOrThrow({ where: { name: hostName(h) } })),
    );
    for (const h of hosts) expect(h?.appliedSerial).toBe(h?.desiredSerial);
  });

  it("an attach made while the host's agent is down is applied when it comes back; drift is repaired", async () => {
    const h2 = L().host("h2");
    const pid = h2.agentPid as number;
    await testkit.stopPid(pid, 10_000);
    const late = await attach("h2", "con5", "v100");
    await new Promise((r) => setTimeout(r, 1500));
    expect((await api<Operation>("GET", `/operations/${late.operation.id}`)).body.status).toBe("pending");
    // restarted with its stored credential (the enrollment token is spent)
    const restarted = await startAgent(L().state, "h2", plane?.url as string, "sye_spent");
    expect(restarted).toBeGreaterThan(0);
    await appliedAll([late.operation]);
    expect(await L().pings(c.con5 as LabContainerState, con1.attachment.address)).toBe(true);
    // nothing twice: one OVS port per live attachment on h2 (con3, con4, con5)
    const owned = (await ovsPorts("h2"))
      .map((p) => externalId(p.external_ids, "switchyard-attachment"))
      .filter((id): id is string => id !== undefined);
    expect(owned.sort()).toEqual((await liveIdsOn("h2")).sort());
    expect(new Set(owned).size).toBe(3);

    // someone deletes con3's veth by hand: the agent's next reconcile recreates it and reports it
    const hostIf = (await api<Attachment>("GET", `/attachments/${con3.attachment.id}`)).body
      .hostIfname as string;
    await L().hostExec("h2")(["ip", "link", "del", hostIf]);
    await testkit.waitFor("drift repaired and reported", 30_000, async () => {
      const n = await db?.prisma.auditEvent.count({
        where: { action: "reconcile.repaired", targetId: con3.attachment.id },
      });
      return (n ?? 0) > 0;
    });
    expect(await linkExists("h2", hostIf)).toBe(true);
    expect(await L().pings(c.con1 as LabContainerState, con3.attachment.address)).toBe(true);
    // ... and it is shown as an event (GET /api/v1/events feeds the UI's "drift repaired" lists)
    const hostName = (await api<{ hostName: string }>("GET", `/attachments/${con3.attachment.id}`)).body
      .hostName;
    const events = (await api<ReconcileEventList>("GET", `/events?host=${hostName}`)).body.events;
    expect(events.some((e) => e.kind === "repaired" && e.attachmentId === con3.attachment.id)).toBe(true);
  });

  it("detach removes the veth and the OVS port, releases the address; the network can then go", async () => {
    const hostIf = (await api<Attachment>("GET", `/attachments/${con1.attachment.id}`)).body
      .hostIfname as string;
    expect(await linkExists("h1", hostIf)).toBe(true);
    const res = await api<AttachmentOperation>("DELETE", `/attachments/${con1.attachment.id}`, {
      reason: "done",
    });
    expect(res.status).toBe(202);
    await appliedAll([res.body.operation]);
    expect(await linkExists("h1", hostIf)).toBe(false);
    const ports = await ovsPorts("h1");
    expect(ports.map((p) => p.name)).not.toContain(hostIf);
    expect(
      ports.some((p) => externalId(p.external_ids, "switchyard-attachment") === con1.attachment.id),
    ).toBe(false);
    const gone = await api<Attachment>("GET", `/attachments/${con1.attachment.id}`);
    expect(gone.body.status).toBe("detached");
    const alloc = await db?.prisma.addressAllocation.findUniqueOrThrow({
      where: { id: con1.attachment.allocationId as string },
    });
    expect(alloc?.releasedAt).not.toBeNull();
    expect(await L().pings(c.con3 as LabContainerState, con1.attachment.address, 2)).toBe(false);

    // deleting v100 is refused while con3 and con5 are still attached
    const refused = await api<{ error: { field: string } }>("DELETE", "/networks/v100");
    expect([refused.status, refused.body.error.field]).toEqual([409, "id"]);
  });

  it("Linux bridge, macvlan and VXLAN (hosts in two subnets behind a router) networks: containers ping across hosts", async () => {
    const nets = [
      { name: "flat", driver: "bridge", subnet: "10.10.103.0/24", uplink: "eth2" },
      { name: "mv", driver: "macvlan", subnet: "10.20.0.0/24", uplink: "eth3" },
      { name: "vx42", driver: "vxlan", subnet: "10.42.0.0/24", vni: 42 },
    ];
    for (const body of nets) {
      const res = await api<Network>("POST", "/networks", body);
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    }
    const pairs: [AttachmentOperation, AttachmentOperation, string][] = [];
    for (const net of nets) {
      const a = `${net.name}-a`;
      const b = `${net.name}-b`;
      c[a] = await L().addNetnsContainer("h1", a);
      c[b] = await L().addNetnsContainer("h2", b);
      pairs.push([await attach("h1", a, net.name), await attach("h2", b, net.name), net.name]);
    }
    await appliedAll(pairs.flatMap(([x, y]) => [x.operation, y.operation]));
    for (const [x, y, name] of pairs) {
      const from = c[`${name}-a`] as LabContainerState;
      expect([name, await L().pings(from, y.attachment.address)]).toEqual([name, true]);
      expect([name, await L().pings(c[`${name}-b`] as LabContainerState, x.attachment.address)]).toEqual([
        name,
        true,
      ]);
    }
    // the VXLAN device of each host floods to the other host's underlay address (from its inventory)
    const fdb = await L().hostExec("h1")(["bridge", "fdb", "show", "dev", "vx42"]);
    expect(fdb.stdout).toContain(`dst ${L().host("h2").underlay.address}`);
  });
});
