import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Inventory } from "@switchyard/protocol";
import { describe, expect, it } from "vitest";
import type { DockerContainerInspect, DockerContainerSummary } from "../src/docker";
import { type Exec, ExecError } from "../src/exec";
import {
  canonicalJson,
  type DockerReader,
  digestInventory,
  normalizeInventory,
  readInventory,
  readOvs,
  readOvsDb,
} from "../src/inventory";

const fixture = (name: string) => readFileSync(join(import.meta.dirname, "inventory-fixtures", name), "utf8");

/** An Exec answering from a table keyed by the joined argv; unknown commands fail like a missing program. */
function fakeExec(answers: Record<string, string | Error>, seen: string[] = []): Exec {
  return async (argv, options) => {
    const key = argv.join(" ");
    seen.push(options?.netns ? `[${options.netns}] ${key}` : key);
    for (const [prefix, answer] of Object.entries(answers)) {
      if (key.startsWith(prefix)) {
        if (answer instanceof Error) throw answer;
        return { stdout: answer, stderr: "" };
      }
    }
    throw new ExecError(argv, null, `spawn ${argv[0]} ENOENT`, false);
  };
}

function fakeDocker(
  summaries: DockerContainerSummary[],
  inspects: Record<string, DockerContainerInspect | Error>,
) {
  const docker: DockerReader = {
    listContainers: async () => summaries,
    inspect: async (ref) => {
      const answer = inspects[ref];
      if (answer instanceof Error) throw answer;
      return answer ?? null;
    },
  };
  return docker;
}

const hostAnswers = {
  "ip -j -d link show": fixture("ip-link.out"),
  "ip -j addr show": fixture("ip-addr.out"),
  "ip -j netns list": fixture("netns-list.out"),
  "ip -n fx5375c -j -d addr show": fixture("container-addr.out"),
  "ip -n fx5375h -j -d addr show": new ExecError(["ip"], 1, "Cannot open network namespace", false),
  "ovs-vsctl --db=tcp:127.0.0.1:6640": fixture("ovs-list.out"),
  "nsenter --net=/proc/4242/ns/net ip -j -d addr show": fixture("container-addr.out"),
};

describe("readInventory with an injected exec and Docker client", () => {
  it("assembles a valid, sorted inventory from every source", async () => {
    const warnings: string[] = [];
    const seen: string[] = [];
    const inventory = await readInventory({
      hostname: "h1",
      ovsDb: "tcp:127.0.0.1:6640",
      ovsVia: "vsctl",
      exec: fakeExec(hostAnswers, seen),
      docker: fakeDocker(
        [
          { Id: "bbb", Names: ["/web"], State: "running" },
          { Id: "aaa", Names: ["/old"], State: "exited" },
        ],
        { bbb: { Id: "bbb", Name: "/web", State: { Status: "running", Running: true, Pid: 4242 } } },
      ),
      netnsDir: "/nonexistent",
      now: () => new Date("2026-01-01T00:00:00Z"),
      onWarning: (message, fields) => warnings.push(`${message} ${String(fields?.netns)}`),
    });
    expect(inventory.collectedAt).toBe("2026-01-01T00:00:00.000Z");
    expect(inventory.bridges).toEqual([{ name: "br0", ports: ["vb0"] }]);
    expect(inventory.ovs.available).toBe(true);
    expect(inventory.ovs.bridges[0]?.ports.find((p) => p.name === "vo0")?.tag).toBe(100);
    expect(inventory.namespaces).toEqual(["fx5375c", "fx5375h"]);
    expect(inventory.docker).toEqual({ available: true, error: null });
    expect(inventory.containers.map((c) => `${c.runtime}/${c.name}/${c.state}/${c.pid}`)).toEqual([
      "docker/old/exited/null",
      "docker/web/running/4242",
      "netns/fx5375c/running/null",
      "netns/fx5375h/running/null",
    ]);
    const web = inventory.containers.find((c) => c.name === "web");
    expect(web?.interfaces.map((i) => [i.name, i.peerIndex, i.addresses[0]?.address])).toEqual([
      ["eth0", 5, "10.99.0.5"],
    ]);
    // A namespace that cannot be read is reported with no interfaces and a warning, not a crash.
    expect(inventory.containers.find((c) => c.name === "fx5375h")?.interfaces).toEqual([]);
    expect(warnings).toEqual(["cannot read a network namespace's interfaces fx5375h"]);
    expect(seen).toContain(
      "ovs-vsctl --db=tcp:127.0.0.1:6640 --timeout=5 --format=json " +
        [
          "--columns=_uuid,name,datapath_type,ports list Bridge --",
          "--columns=_uuid,name,tag,trunks,interfaces,external_ids list Port --",
          "--columns=_uuid,name,type,external_ids list Interface",
        ].join(" "),
    );
  });

  it("keeps only namespaces with the configured prefix", async () => {
    const inventory = await readInventory({
      hostname: "h1",
      ovsDb: "tcp:127.0.0.1:6640",
      ovsVia: "vsctl",
      exec: fakeExec(hostAnswers),
      docker: fakeDocker([], {}),
      netnsPrefix: "fx5375c",
      netnsDir: "/nonexistent",
    });
    expect(inventory.namespaces).toEqual(["fx5375c"]);
    expect(inventory.containers.map((c) => c.name)).toEqual(["fx5375c"]);
  });

  it("reports OVS and Docker as unavailable, with the reason, instead of failing", async () => {
    const { "ovs-vsctl --db=tcp:127.0.0.1:6640": _ovs, ...withoutOvs } = hostAnswers;
    const inventory = await readInventory({
      hostname: "h1",
      ovsDb: "tcp:127.0.0.1:6640",
      ovsVia: "vsctl",
      dockerSocket: "/nonexistent/docker.sock",
      exec: fakeExec(withoutOvs),
      netnsDir: "/nonexistent",
    });
    expect(inventory.ovs).toEqual({
      available: false,
      error: "ovs-vsctl not found (Open vSwitch is not installed)",
      bridges: [],
    });
    expect(inventory.docker).toEqual({
      available: false,
      error: "docker socket /nonexistent/docker.sock not found",
    });
    expect(inventory.containers.every((c) => c.runtime === "netns")).toBe(true);
  });

  it("reports an absent OVS database socket without running ovs-vsctl", async () => {
    const seen: string[] = [];
    const ovs = await readOvs(fakeExec({}, seen), "unix:/nonexistent/db.sock");
    expect(ovs).toEqual({
      available: false,
      error: "OVS database socket /nonexistent/db.sock not found",
      bridges: [],
    });
    expect(seen).toEqual([]);
  });

  it("asks the database directly by default, and reports why when it refuses", async () => {
    const seen: string[] = [];
    const inventory = await readInventory({
      hostname: "h1",
      ovsDb: "tcp:127.0.0.1:1",
      exec: fakeExec(hostAnswers, seen),
      docker: fakeDocker([], {}),
      netnsDir: "/nonexistent",
    });
    expect(inventory.ovs.available).toBe(false);
    expect(inventory.ovs.error).toMatch(/^OVS database tcp:127\.0\.0\.1:1: database connection failed/);
    expect(seen.filter((c) => c.startsWith("ovs-vsctl"))).toEqual([]);
    const absent = await readOvsDb("unix:/nonexistent/db.sock");
    expect(absent.error).toBe("OVS database socket /nonexistent/db.sock not found");
  });

  it("reports ovs-vsctl's own error text when the database refuses", async () => {
    const error = new ExecError(
      ["ovs-vsctl"],
      1,
      "ovs-vsctl: unix:/x: database connection failed (Connection refused)",
      false,
    );
    const ovs = await readOvs(fakeExec({ "ovs-vsctl": error }), "tcp:127.0.0.1:1");
    expect(ovs.available).toBe(false);
    expect(ovs.error).toMatch(/database connection failed/);
  });

  it("reports Docker as unavailable when the API call fails", async () => {
    const inventory = await readInventory({
      hostname: "h1",
      ovsDb: "tcp:127.0.0.1:6640",
      ovsVia: "vsctl",
      exec: fakeExec(hostAnswers),
      docker: {
        listContainers: async () => {
          throw new Error("connect ECONNREFUSED /var/run/docker.sock");
        },
        inspect: async () => null,
      },
      netnsDir: "/nonexistent",
    });
    expect(inventory.docker).toEqual({
      available: false,
      error: "connect ECONNREFUSED /var/run/docker.sock",
    });
  });
});

describe("digestInventory", () => {
  const base = async (): Promise<Inventory> =>
    readInventory({
      hostname: "h1",
      ovsDb: "tcp:127.0.0.1:6640",
      ovsVia: "vsctl",
      exec: fakeExec(hostAnswers),
      docker: fakeDocker([], {}),
      netnsDir: "/nonexistent",
      now: () => new Date("2026-01-01T00:00:00Z"),
    });

  it("ignores collectedAt and list order, and changes when the host does", async () => {
    const a = await base();
    const later = { ...a, collectedAt: "2027-01-01T00:00:00.000Z" };
    expect(digestInventory(later)).toBe(digestInventory(a));
    const shuffled = normalizeInventory({
      ...a,
      interfaces: [...a.interfaces].reverse(),
      namespaces: [...a.namespaces].reverse(),
    });
    expect(digestInventory(shuffled)).toBe(digestInventory(a));
    const changed = {
      ...a,
      interfaces: a.interfaces.map((i) => (i.name === "vb0" ? { ...i, operState: "DOWN" } : i)),
    };
    expect(digestInventory(changed)).not.toBe(digestInventory(a));
    expect(digestInventory(a)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("canonical JSON sorts keys at every level", () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it("normalizeInventory rejects what the protocol schema rejects", async () => {
    const a = await base();
    expect(() => normalizeInventory({ ...a, hostname: 7 } as unknown as Inventory)).toThrow();
  });
});
