/**
 * yardctl networks / attach / detach / ops / attachments against the real API handler on PostgreSQL,
 * with a simulated agent behind the hub port: every desired-state change is "applied" at once, except
 * endpoints of containers named ghost*, which fail with the agent's error text.
 */
import {
  applyDesiredStateResult,
  createApiToken,
  createUser,
  loadDesiredState,
  markOperationsSent,
  toUserDto,
} from "@switchyard/control";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FetchFn } from "../../cli/src/api";
import { invoke, loggedIn } from "../../cli/test/helpers";
import { createApiHandler } from "../src/server/api/handler";
import { type HubPort, noopHub } from "../src/server/broadcast";

let db: TestDatabase;
let fetch: FetchFn;
let config = loggedIn;
const HOUR = 3_600_000;
let agentWork: Promise<unknown> = Promise.resolve();
let offline = new Set<string>();

beforeAll(async () => {
  db = await createTestDatabase();
  const services = { prisma: db.prisma, now: () => new Date() };
  const hub: HubPort = {
    ...noopHub,
    hostChanged: () => {},
    inventoryChanged: () => {},
    disconnectHost: () => {},
    disconnectCredential: () => {},
    desiredStateChanged(hostIds) {
      for (const hostId of hostIds) {
        if (offline.has(hostId)) continue;
        agentWork = agentWork.then(async () => {
          await new Promise((r) => setTimeout(r, 30));
          const { state } = await loadDesiredState(db.prisma, hostId);
          await markOperationsSent(services, hostId, state.serial);
          await applyDesiredStateResult(services, hostId, {
            serial: state.serial,
            results: state.endpoints.map((e) =>
              e.container.ref.startsWith("ghost")
                ? {
                    endpointId: e.id,
                    status: "failed",
                    error: `netns "${e.container.ref}" not found`,
                    hostIfname: null,
                  }
                : {
                    endpointId: e.id,
                    status: "applied",
                    error: null,
                    hostIfname: "sy0badc0deh",
                    durationMs: 7,
                  },
            ),
            events: [],
          });
        });
      }
    },
  };
  const api = createApiHandler({
    prisma: db.prisma,
    now: () => new Date(),
    logger: pino({ level: "silent" }),
    hub,
    version: "test",
    config: { sessionTtlMs: HOUR, enrollmentTtlMs: HOUR, cookieSecure: false, validateResponses: true },
  });
  fetch = (url, init) => api(new Request(url, init));
  const user = await createUser(services, {
    email: "neteng@example.com",
    password: "neteng-pw-1",
    role: "operator",
  });
  const token = await createApiToken(
    services,
    { user: toUserDto(user), via: "session", credentialId: "s" },
    { name: "cli" },
  );
  config = { ...loggedIn, token: token.token };
  await db.prisma.host.create({ data: { name: "h1" } });
  const h2 = await db.prisma.host.create({ data: { name: "h2" } });
  offline = new Set([h2.id]);
});
afterAll(async () => {
  await agentWork;
  await db?.drop();
});

const yard = (...argv: string[]) => invoke(argv, { fetch, config, now: new Date() });

describe("yardctl networks, attach, detach, ops", () => {
  it("networks create / ls / show / rm, with errors naming the field", async () => {
    const created = await yard(
      "networks",
      "create",
      "vlan100",
      "--driver",
      "ovs",
      "--subnet",
      "192.168.0.0/24",
      "--vlan",
      "100",
      "--uplink",
      "eth1",
    );
    expect(created).toMatchObject({
      code: 0,
      stdout: "Created network vlan100 (ovs, 192.168.0.0/24, ovs0 vlan 100; pool subnet-192.168.0.0-24).\n",
    });
    const json = await yard(
      "networks",
      "create",
      "vx",
      "--driver",
      "vxlan",
      "--vni",
      "42",
      "--subnet",
      "10.42.0.0/24",
      "--override",
      "h1:underlay=10.99.1.11",
      "--json",
    );
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      name: "vx",
      bridgeName: "brvx42",
      hostOverrides: [{ hostName: "h1", underlayAddress: "10.99.1.11", bridgeName: null, uplink: null }],
    });
    const bad = await yard(
      "networks",
      "create",
      "v0",
      "--driver",
      "ovs",
      "--subnet",
      "10.0.0.0/24",
      "--vlan",
      "4095",
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: vlan: VLAN id must be between 1 and 4094 \(field: vlan\)\n/);
    expect(
      (await yard("networks", "create", "v0", "--driver", "ovs", "--subnet", "10.0.0.0/24", "--vlan", "x"))
        .code,
    ).toBe(2);
    expect((await yard("networks", "create", "v0", "--subnet", "10.0.0.0/24")).code).toBe(2);
    expect(
      (
        await yard(
          "networks",
          "create",
          "v0",
          "--driver",
          "ovs",
          "--subnet",
          "1.0.0.0/8",
          "--override",
          "junk",
        )
      ).code,
    ).toBe(2);
    const ls = await yard("networks", "ls");
    expect(ls.stdout).toMatch(/^NAME +DRIVER +SUBNET +GATEWAY +SEGMENT +UPLINK +ATTACHED\n/);
    expect(ls.stdout).toMatch(/\nvlan100 +ovs +192\.168\.0\.0\/24 +- +ovs0 vlan 100 +eth1 +0\n/);
    expect(ls.stdout).toMatch(/\nvx +vxlan +10\.42\.0\.0\/24 +- +brvx42 vni 42 +- +0\n/);
    const show = await yard("networks", "show", "vx");
    expect(show.stdout).toContain("VNI:          42 (udp 4789)\n");
    expect(show.stdout).toMatch(
      /Per-host overrides:\n +HOST +BRIDGE +UPLINK +UNDERLAY\n +h1 +- +- +10\.99\.1\.11\n/,
    );
    expect(JSON.parse((await yard("networks", "ls", "--json")).stdout).networks).toHaveLength(2);
    const rm = await yard("networks", "rm", "vx", "--reason", "test");
    expect(rm).toMatchObject({ code: 0 });
    expect(rm.stdout).toMatch(/^Deleted network vx \(/);
  });

  it("attach --wait applies, detach --wait removes; a failing attach exits 1 with the agent's error", async () => {
    const att = await yard(
      "attach",
      "--host",
      "h1",
      "--container",
      "netns:con1",
      "--network",
      "vlan100",
      "--ip",
      "192.168.0.10",
      "--wait",
      "--reason",
      "seed",
    );
    expect(att).toMatchObject({
      code: 0,
      stdout:
        "Attached netns:con1 eth1 192.168.0.10/24 on h1 (vlan100) (host interface sy0badc0deh, agent 7 ms).\n",
    });
    const ls = await yard("attachments", "ls", "--host", "h1", "--json");
    const [a] = JSON.parse(ls.stdout).attachments as { id: string; status: string }[];
    expect(a?.status).toBe("applied");

    const fail = await yard(
      "attach",
      "--host",
      "h1",
      "--container",
      "ghost1",
      "--network",
      "vlan100",
      "--wait",
    );
    expect(fail.code).toBe(1);
    expect(fail.stderr).toMatch(
      /^error: attach of docker:ghost1 eth1 192\.168\.0\.\d+\/24 on h1 \(vlan100\) failed: netns "ghost1" not found\n/,
    );

    const conflict = await yard(
      "attach",
      "--host",
      "h1",
      "--container",
      "netns:con1",
      "--network",
      "vlan100",
    );
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toMatch(/already has eth1 attached .* \(field: ifname\)/);
    expect((await yard("attach", "--host", "h1", "--network", "vlan100")).code).toBe(2);
    const badIf = await yard(
      "attach",
      "--host",
      "h1",
      "--container",
      "c",
      "--network",
      "vlan100",
      "--ifname",
      "way-too-long-ifname",
    );
    expect(badIf.stderr).toMatch(/\(field: ifname\)/);

    const det = await yard("detach", a?.id as string, "--wait", "--json");
    expect(det.code).toBe(0);
    expect(JSON.parse(det.stdout)).toMatchObject({
      attachment: { status: "detached" },
      operation: { kind: "detach", status: "applied" },
    });

    const ops = await yard("ops", "ls", "--host", "h1");
    expect(ops.stdout).toMatch(/^ID +KIND +STATUS +HOST +NETWORK +ATTACHMENT +BY +CREATED +ERROR\n/);
    const rows = ops.stdout.trim().split("\n").slice(1);
    expect(rows.map((r) => r.split(/ +/).slice(1, 3))).toEqual([
      ["detach", "applied"],
      ["attach", "failed"],
      ["attach", "applied"],
    ]);
    const failedJson = JSON.parse((await yard("ops", "ls", "--status", "failed", "--json")).stdout);
    expect(failedJson.operations).toHaveLength(1);
    const shown = await yard("ops", "show", failedJson.operations[0].id);
    expect(shown.code).toBe(1);
    expect(shown.stdout).toContain('Error:         netns "ghost1" not found\n');
  });

  it("attach without --wait returns at once; --wait on an offline host times out saying why", async () => {
    const quick = await yard("attach", "--host", "h2", "--container", "netns:c2", "--network", "vlan100");
    expect(quick.code).toBe(0);
    expect(quick.stdout).toMatch(
      /^Attaching netns:c2 eth1 192\.168\.0\.\d+\/24 on h2 \(vlan100\): attachment \S+, operation \S+ pending\.\n$/,
    );
    const waited = await yard(
      "attach",
      "--host",
      "h2",
      "--container",
      "netns:c3",
      "--network",
      "vlan100",
      "--wait",
      "--timeout",
      "300ms",
    );
    expect(waited.code).toBe(1);
    expect(waited.stderr).toMatch(/is still pending after 0 s\nhint: the host's agent is not connected/);
  });
});
