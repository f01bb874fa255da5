import { describe, expect, it } from "vitest";
import { AGENT_LAUNCHER, agentArgs } from "../src/agent";
import type { LabState } from "../src/state";

const state: LabState = {
  prefix: "yl1",
  dir: "/tmp/switchyard-lab-yl1",
  createdAt: "2026-01-01T00:00:00.000Z",
  routed: false,
  namespaces: [],
  switchNetns: "yl1-sw",
  routerNetns: null,
  hosts: [
    {
      name: "h1",
      netns: "yl1-h1",
      ovs: { dir: "/d", db: "unix:/d/db.sock", ovsdbPid: 1, vswitchdPid: 2 },
      underlay: { ifname: "eth0", address: "10.99.0.11", prefixLength: 24, gateway: null },
      uplinks: { ovs: "eth1", bridge: "eth2", macvlan: "eth3" },
      agentPid: null,
    },
  ],
  docker: { dir: "/k", socketPath: "/k/docker.sock", pid: 3, image: "testbox:1" },
  containers: [],
  pids: [],
};
const host = state.hosts[0] as LabState["hosts"][number];

describe("lab agent command line", () => {
  it("root mode: the agent manages the host namespace with --netns, everything of the host passed", () => {
    const args = agentArgs(state, host, "http://127.0.0.1:3000", "sye_x", "root");
    expect(args[0]).toBe(AGENT_LAUNCHER);
    const flags = Object.fromEntries(
      args.slice(1).flatMap((a, i, all) => (a.startsWith("--") ? [[a, all[i + 1]]] : [])),
    );
    expect(flags).toEqual({
      "--server": "http://127.0.0.1:3000",
      "--token": "sye_x",
      "--credential-file": "/tmp/switchyard-lab-yl1/h1/agent/credential.json",
      "--state-dir": "/tmp/switchyard-lab-yl1/h1/agent",
      "--hostname": "yl1-h1",
      "--netns-prefix": "yl1-c-",
      "--netns": "yl1-h1",
      "--ovs-db": "unix:/d/db.sock",
      "--docker-socket": "/k/docker.sock",
      "--datapath-type": "netdev",
    });
  });

  it("inside mode has no --netns; a restart has no token", () => {
    const args = agentArgs(state, host, "http://cp", null, "inside");
    expect(args).not.toContain("--netns");
    expect(args).not.toContain("--token");
  });
});
