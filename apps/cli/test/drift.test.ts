import { describe, expect, it } from "vitest";
import { fakeFetch, invoke, json } from "./helpers";

const drift = {
  hostId: "h_1",
  hostName: "web-1",
  inventoryReceivedAt: "2026-11-27T21:59:00Z",
  items: [
    {
      kind: "missing_veth",
      attachmentId: "a1",
      networkId: "n1",
      container: "netns:app",
      containerId: "app",
      ifname: "eth1",
      bridge: null,
      port: "sy12345678h",
      expected: "veth sy12345678h <-> eth1 in netns:app",
      actual: "neither end",
      text: "veth sy12345678h <-> eth1 in netns:app: neither end",
    },
    {
      kind: "vlan_not_on_trunk",
      attachmentId: null,
      networkId: "n2",
      container: null,
      containerId: null,
      ifname: null,
      bridge: "ovs0",
      port: "eth1",
      expected: "trunk carrying 100",
      actual: "trunks 200",
      text: "uplink eth1 on ovs0 does not carry VLAN 100 (trunks 200)",
    },
  ],
  events: [
    {
      id: "e1",
      at: "2026-11-27T21:58:00Z",
      kind: "repaired",
      hostName: "web-1",
      attachmentId: "a1",
      serial: 3,
      message: "veth sy12345678h missing, recreated",
    },
  ],
};

describe("hosts drift", () => {
  it("gets the host's drift and prints its items and the agent's repairs as tables", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, drift));
    const result = await invoke(["hosts", "drift", "web-1"], { fetch });
    expect(calls[0]).toMatchObject({ method: "GET", path: "/api/v1/hosts/web-1/drift" });
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines[0]).toMatch(/^KIND\s+CONTAINER\s+PORT\s+EXPECTED\s+ACTUAL/);
    expect(lines[1]).toMatch(/^missing_veth\s+netns:app eth1\s+sy12345678h\s+veth .*\s+neither end$/);
    expect(lines[2]).toMatch(/^vlan_not_on_trunk\s+-\s+eth1\s+trunk carrying 100\s+trunks 200$/);
    expect(result.stdout).toContain("Repaired and failed (latest first):");
    expect(result.stdout).toContain("veth sy12345678h missing, recreated");
  });

  it("says so when there is none; --json prints the API's answer", async () => {
    const none = { ...drift, items: [], events: [] };
    const { fetch } = fakeFetch(() => json(200, none));
    expect((await invoke(["hosts", "drift", "web-1"], { fetch })).stdout).toBe("No drift on web-1.\n");
    const asJson = await invoke(["hosts", "drift", "web-1", "--json"], { fetch });
    expect(JSON.parse(asJson.stdout)).toEqual(none);
  });
});

describe("hosts repair", () => {
  it("posts to the repair route and says what the agent does", async () => {
    const { fetch, calls } = fakeFetch(() => json(202, { hostId: "h_1", mode: "report", started: true }));
    const result = await invoke(["hosts", "repair", "web-1"], { fetch });
    expect(calls[0]).toMatchObject({ method: "POST", path: "/api/v1/hosts/web-1/repair" });
    expect(result).toMatchObject({
      code: 0,
      stdout: "The agent (drift repair report) is verifying the host; see: yardctl hosts drift web-1\n",
    });
  });

  it("a host whose agent cannot be asked: the server's 409, exit 1", async () => {
    const { fetch } = fakeFetch(() =>
      json(409, {
        error: {
          code: "conflict",
          message: "cannot ask the host's agent to repair: not connected",
          field: "id",
        },
      }),
    );
    const result = await invoke(["hosts", "repair", "web-1"], { fetch });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("not connected");
  });
});
