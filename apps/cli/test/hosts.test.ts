import { describe, expect, it } from "vitest";
import { fakeFetch, host, invoke, json } from "./helpers";

const inventory = {
  collectedAt: "2026-11-27T21:59:50Z",
  hostname: "web-1.lan",
  interfaces: [
    {
      name: "eth0",
      index: 2,
      kind: "",
      mac: "02:00:00:00:00:01",
      mtu: 1500,
      operState: "UP",
      master: "br0",
      peerIndex: null,
      addresses: [],
    },
    {
      name: "br0",
      index: 3,
      kind: "bridge",
      mac: null,
      mtu: 1500,
      operState: "UP",
      master: null,
      peerIndex: null,
      addresses: [{ family: "inet", address: "10.0.0.2", prefixLength: 24 }],
    },
  ],
  bridges: [{ name: "br0", ports: ["eth0", "veth1"] }],
  ovs: {
    available: true,
    error: null,
    bridges: [
      {
        name: "ovs0",
        datapathType: "netdev",
        ports: [{ name: "p1", tag: 100, trunks: [], interfaceType: "internal", externalIds: {} }],
      },
    ],
  },
  namespaces: ["con1"],
  docker: { available: false, error: "no socket" },
  containers: [
    {
      id: "con1",
      name: "con1",
      runtime: "netns",
      state: "running",
      pid: null,
      interfaces: [
        {
          name: "eth0",
          index: 5,
          kind: "veth",
          mac: null,
          peerIndex: 6,
          addresses: [{ family: "inet", address: "10.0.0.5", prefixLength: 24 }],
        },
      ],
    },
  ],
};

describe("hosts ls", () => {
  const hosts = [
    host,
    {
      ...host,
      id: "h_2",
      name: "db",
      status: "pending",
      hostname: null,
      agentVersion: null,
      lastSeenAt: null,
      description: null,
    },
  ];

  it("sends the token and prints an aligned table", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { hosts }));
    const result = await invoke(["hosts", "ls"], { fetch });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ method: "GET", path: "/api/v1/hosts" });
    expect(calls[0]?.headers.get("authorization")).toBe("Bearer syt_test");
    expect(result).toEqual({
      code: 0,
      stderr: "",
      stdout: [
        "NAME   STATUS   HOSTNAME   AGENT  LAST SEEN  DESCRIPTION",
        "web-1  online   web-1.lan  0.1.0  10s ago    front end",
        "db     pending  -          -      -          -",
        "",
      ].join("\n"),
    });
  });

  it("--json prints the response and nothing else", async () => {
    const { fetch } = fakeFetch(() => json(200, { hosts }));
    const result = await invoke(["hosts", "ls", "--json"], { fetch });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ hosts });
  });

  it("follows nextCursor until the last page and lists every page's hosts", async () => {
    const [web, db] = hosts as [(typeof hosts)[number], (typeof hosts)[number]];
    const { fetch, calls } = fakeFetch((req) =>
      req.search.includes("cursor=")
        ? json(200, { hosts: [db], nextCursor: null })
        : json(200, { hosts: [web], nextCursor: "WyJ3ZWItMSJd" }),
    );
    const result = await invoke(["hosts", "ls", "--json"], { fetch });
    expect(calls.map((c) => `${c.path}${c.search}`)).toEqual([
      "/api/v1/hosts?limit=1000",
      "/api/v1/hosts?limit=1000&cursor=WyJ3ZWItMSJd",
    ]);
    expect(JSON.parse(result.stdout)).toEqual({ hosts: [web, db] });
  });

  it("says how to add a host when there are none", async () => {
    const { fetch } = fakeFetch(() => json(200, { hosts: [] }));
    expect((await invoke(["hosts", "list"], { fetch })).stdout).toContain("yardctl hosts create NAME");
  });
});

describe("hosts show", () => {
  it("escapes the name in the URL and renders the inventory", async () => {
    const { fetch, calls } = fakeFetch(() =>
      json(200, {
        ...host,
        inventory,
        inventoryReceivedAt: "2026-11-27T21:59:51Z",
        credentials: { active: 1, revoked: 1, lastUsedAt: "2026-11-27T21:59:00Z" },
      }),
    );
    const result = await invoke(["hosts", "show", "web/1"], { fetch });
    expect(calls[0]?.path).toBe("/api/v1/hosts/web%2F1");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Status:         online\n");
    expect(result.stdout).toContain("Last seen:      2026-11-27 21:59:50Z (10s ago)\n");
    expect(result.stdout).toContain("Credentials:    1 active, 1 rotated or revoked, last used 1m ago\n");
    expect(result.stdout).toMatch(/ {2}br0 +bridge +UP +- +1500 +- +10\.0\.0\.2\/24\n/);
    expect(result.stdout).toContain("Linux bridges:\n  BRIDGE  PORTS\n  br0     eth0,veth1\n");
    expect(result.stdout).toMatch(/ovs0 +p1 +internal +100 +-/);
    expect(result.stdout).toMatch(/con1 +netns +running +eth0 +10\.0\.0\.5\/24/);
    expect(result.stdout).toContain("Docker:\n  not available: no socket");
  });

  it("says when no inventory has arrived", async () => {
    const credentials = { active: 0, revoked: 0, lastUsedAt: null };
    const { fetch } = fakeFetch(() =>
      json(200, { ...host, inventory: null, inventoryReceivedAt: null, credentials }),
    );
    const result = await invoke(["hosts", "show", "web-1"], { fetch });
    expect(result.stdout).toContain("Inventory:      none yet\n");
    expect(result.stdout).not.toContain("Interfaces");
  });
});

describe("hosts create", () => {
  const created = {
    host: { ...host, status: "pending" },
    enrollment: { token: "syh_enroll", expiresAt: "2026-11-28T22:00:00Z" },
  };

  it("posts the name and description and prints the agent command", async () => {
    const { fetch, calls } = fakeFetch(() => json(201, created));
    const result = await invoke(["hosts", "create", "web-1", "--description", "front end"], { fetch });
    expect(calls[0]).toMatchObject({
      method: "POST",
      path: "/api/v1/hosts",
      body: { name: "web-1", description: "front end" },
    });
    expect(calls[0]?.headers.get("content-type")).toBe("application/json");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("  syh_enroll\n");
    expect(result.stdout).toContain("  switchyard-agent --server http://yard.test:3000 --token syh_enroll\n");
  });

  it("omits an absent description; --json prints the API's response", async () => {
    const { fetch, calls } = fakeFetch(() => json(201, created));
    const result = await invoke(["hosts", "create", "web-1", "--json"], { fetch });
    expect(calls[0]?.body).toEqual({ name: "web-1" });
    expect(JSON.parse(result.stdout)).toEqual(created);
  });
});

describe("hosts revoke", () => {
  it("posts to the revoke route", async () => {
    const revoked = { ...host, status: "revoked", revokedAt: "2026-11-27T22:00:00Z" };
    const { fetch, calls } = fakeFetch(() => json(200, revoked));
    const result = await invoke(["hosts", "revoke", "web-1"], { fetch });
    expect(calls[0]).toMatchObject({ method: "POST", path: "/api/v1/hosts/web-1/revoke" });
    expect(result).toMatchObject({
      code: 0,
      stdout: "Revoked host web-1 (h_1); its agent can no longer connect.\n",
    });
    expect(calls[0]?.body).toEqual({});
  });

  it("sends --reason", async () => {
    const { fetch, calls } = fakeFetch(() => json(200, { ...host, status: "revoked" }));
    const result = await invoke(["hosts", "revoke", "web-1", "--reason", "decommissioned", "--json"], {
      fetch,
    });
    expect(calls[0]?.body).toEqual({ reason: "decommissioned" });
    expect(JSON.parse(result.stdout)).toMatchObject({ name: "web-1", status: "revoked" });
  });
});
