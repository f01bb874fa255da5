/**
 * A whole Switchyard on one machine, for scenario tests and benchmarks: a lab of network namespaces
 * (@switchyard/lab: N hosts with their own OVS, a switch, optionally a router and a private dockerd), a
 * REAL control plane started in this process (fresh database from createTestDatabase(), no UI, random
 * port on 127.0.0.1, memory socket adapter), an admin API token, and one REAL agent process per lab host.
 *
 * How the agents reach the control plane without any test address in the root namespace: each agent
 * process runs in the root namespace (where 127.0.0.1:PORT is) with `--netns P-hN`, so every command it
 * runs goes through `ip netns exec P-hN`; the host it manages is the lab host.
 *
 * Needs the net project's global setup (SWITCHYARD_TEST_ADMIN_URL), or a benchmark that sets it.
 */
import { readFile } from "node:fs/promises";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import {
  type AgentLaunchOptions,
  agentLogPath,
  createLab,
  enrollLab,
  type Lab,
  labPrefix,
} from "@switchyard/lab";
import * as testkit from "@switchyard/netops/testkit";
import { loadConfig } from "../../src/server/config";
import { type ControlPlane, startControlPlane } from "../../src/server/control-plane";
import { Api, createAdminToken } from "./api";

const ADMIN_EMAIL = "admin@switchyard.local";
const ADMIN_PASSWORD = `scenario-${process.pid}-pw`;

export interface ScenarioOptions {
  hosts?: number;
  /** Hosts' underlay in two subnets behind a router (VXLAN across subnets). */
  routed?: boolean;
  /** A private dockerd with the offline busybox image `testbox:1`. */
  docker?: boolean;
  /** Short base of the per-run prefix (a random suffix is added). */
  prefixBase?: string;
  /** More agent flags (defaults: --poll-interval 500ms --log-level debug). */
  agentArgs?: readonly string[];
  /** Control plane log level (silent by default; LOG_LEVEL overrides). */
  logLevel?: string;
  /** More control-plane environment (e.g. LEAK_GRACE), applied last. */
  env?: Record<string, string>;
  /**
   * More launch options of every agent (start and restart), made once the lab exists: e.g. a wrapper
   * into a mount namespace the test made, or `cni: true`.
   */
  agentLaunch?: (lab: Lab) => Promise<Omit<AgentLaunchOptions, "extraArgs">>;
}

export interface Scenario {
  lab: Lab;
  plane: ControlPlane;
  api: Api;
  /** API token of the admin (operator rights): for the CLI (YARD_TOKEN) and the lab. */
  adminToken: string;
  /** Control-plane name of a lab host: "h1" -> "P-h1". */
  hostName(labHost: string): string;
  /** Restarts a host's agent (enrolled: no token), in the root namespace with --netns. */
  restartAgent(labHost: string): Promise<number | null>;
  /** The last lines of a host's agent log (for failure messages). */
  agentLog(labHost: string, lines?: number): Promise<string>;
  /** Removes everything: agents and lab (by PID, namespaces), control plane, database. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_AGENT_ARGS = ["--poll-interval", "500ms", "--log-level", "debug"] as const;

/** A fresh prefix that names everything this run creates on the machine (includes randomness). */
function scenarioPrefix(base = "ys"): string {
  return `${base}${labPrefix().slice(2, 8)}`;
}

/**
 * Builds the lab, starts the control plane and the agents, and waits until every host is online with an
 * inventory. On any failure, removes what it made and rethrows.
 */
export async function startScenario(options: ScenarioOptions = {}): Promise<Scenario> {
  const cleanups: Array<() => Promise<unknown>> = [];
  let closed: Promise<void> | null = null;
  const close = () => {
    closed ??= (async () => {
      const errors: unknown[] = [];
      for (const cleanup of cleanups.splice(0).reverse()) {
        try {
          await cleanup();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length > 0) throw new AggregateError(errors, "scenario cleanup failed");
    })();
    return closed;
  };
  try {
    // Missing prerequisites fail with one clear message (never a skip).
    await testkit.requirePrerequisites({
      root: true,
      programs: {
        ip: "iproute2",
        nsenter: "util-linux",
        ping: "iputils-ping",
        arping: "iputils-arping",
        "ovs-vsctl": "openvswitch-switch",
        "ovs-vswitchd": "openvswitch-switch",
        ...(options.docker ? { dockerd: "docker.io", busybox: "busybox-static" } : {}),
      },
    });
    const prefix = scenarioPrefix(options.prefixBase);
    const lab = await createLab({
      hosts: options.hosts ?? 2,
      prefix,
      routed: options.routed ?? false,
      docker: options.docker ?? false,
    });
    // Last to run: agents die (by PID) before the lab's namespaces go.
    cleanups.push(() => lab.down());

    const db: TestDatabase = await createTestDatabase();
    cleanups.push(() => db.drop());
    const config = loadConfig({
      DATABASE_URL: db.url,
      PORT: "0",
      HOST: "127.0.0.1",
      SWITCHYARD_UI: "false",
      SWITCHYARD_LOCAL_AGENT: "false",
      SOCKET_ADAPTER: "memory",
      LOG_LEVEL: process.env.LOG_LEVEL ?? options.logLevel ?? "silent",
      SWITCHYARD_ADMIN_EMAIL: ADMIN_EMAIL,
      SWITCHYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
      HEARTBEAT_INTERVAL_MS: "1000",
      OFFLINE_AFTER_MS: "6000",
      PRESENCE_SWEEP_INTERVAL_MS: "500",
      AGENT_DISCONNECT_GRACE_MS: "500",
      ...options.env,
    });
    const plane = await startControlPlane(config);
    cleanups.push(async () => {
      // Agents first (they would reconnect forever), then the server.
      for (const host of lab.state.hosts) await lab.stopAgent(host.name, "SIGTERM").catch(() => {});
      await plane.close();
    });

    const adminToken = await createAdminToken(plane.url, ADMIN_EMAIL, ADMIN_PASSWORD);
    const api = new Api(plane.url, adminToken);
    const agent: AgentLaunchOptions = {
      ...(await options.agentLaunch?.(lab)),
      extraArgs: options.agentArgs ?? DEFAULT_AGENT_ARGS,
    };
    await enrollLab(lab.state, plane.url, adminToken, () => {}, agent);
    const hostName = (h: string) => lab.controlPlaneName(h);
    const agentLog = async (h: string, lines = 40) =>
      (await readFile(agentLogPath(lab.state, h), "utf8").catch(() => ""))
        .split("\n")
        .slice(-lines)
        .join("\n");
    for (const host of lab.state.hosts) {
      try {
        await api.waitHostReady(hostName(host.name), 60_000);
      } catch (error) {
        throw new Error(`${(error as Error).message}\nagent log:\n${await agentLog(host.name)}`);
      }
    }
    return {
      lab,
      plane,
      api,
      adminToken,
      hostName,
      restartAgent: (h) => lab.startAgent(h, plane.url, null, agent),
      agentLog,
      close,
    };
  } catch (error) {
    await close().catch(() => {});
    throw error;
  }
}
