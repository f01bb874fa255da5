import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DesiredStateInput } from "@switchyard/protocol";
import { afterAll, describe, expect, it } from "vitest";
import { hostIfname } from "../src/drivers";
import { type Exec, ExecError } from "../src/exec";
import { MemoryEndpointStore, Reconciler, reconcile } from "../src/reconcile";

/** A host with no links whose commands succeed, except those a rule makes fail (with stderr). */
function fakeHost(failures: [RegExp, string][] = []) {
  const calls: string[] = [];
  const exec: Exec = async (argv) => {
    const line = argv.join(" ");
    calls.push(line);
    for (const [pattern, stderr] of failures) {
      if (pattern.test(line)) throw new ExecError(argv, 2, stderr, false);
    }
    if (line.includes("-j")) return { stdout: "[]", stderr: "" };
    return { stdout: "", stderr: "" };
  };
  return { exec, calls };
}

const netnsDir = mkdtempSync(join(tmpdir(), "sy-reconcile-test-"));
writeFileSync(join(netnsDir, "c1"), "");
afterAll(() => rmSync(netnsDir, { recursive: true, force: true }));

const state = (endpoints: DesiredStateInput["endpoints"]): DesiredStateInput => ({
  serial: 7,
  networks: [
    {
      id: "ovs",
      name: "ovs",
      driver: "ovs",
      bridgeName: "ovs0",
      uplink: "eth1",
      vlan: 100,
      prefixLength: 24,
    },
    {
      id: "flat",
      name: "flat",
      driver: "bridge",
      bridgeName: "br0",
      prefixLength: 24,
      gateway: "10.0.0.254",
    },
  ],
  endpoints,
});

const ep = (id: string, networkId: string, extra: object = {}) => ({
  id,
  networkId,
  container: { runtime: "netns" as const, ref: "c1" },
  address: "10.0.0.2",
  ...extra,
});

describe("reconcile", () => {
  it("answers the serial with one result per endpoint; a broken network fails only its endpoints", async () => {
    const host = fakeHost([[/^ovs-vsctl/, "ovs-vsctl: unix:/x/db.sock: database connection failed"]]);
    const result = await reconcile(state([ep("e1", "ovs"), ep("e2", "flat")]), { exec: host.exec, netnsDir });
    expect(result.serial).toBe(7);
    expect(result.results[0]).toMatchObject({ endpointId: "e1", status: "failed", hostIfname: null });
    expect(result.results[0]?.error).toContain("database connection failed");
    expect(result.results[1]).toMatchObject({
      endpointId: "e2",
      status: "applied",
      error: null,
      hostIfname: hostIfname("e2"),
    });
    expect(result.events.map((e) => e.message)).toContain(`veth ${hostIfname("e2")} <-> eth1 in netns c1`);
    expect(host.calls).toContainEqual(
      expect.stringMatching(
        new RegExp(`^ip link add ${hostIfname("e2")} mtu 1500 type veth peer name eth1 address 02:`),
      ),
    );
  });

  it("an unknown container fails before anything is made", async () => {
    const host = fakeHost();
    const result = await reconcile(
      state([ep("e3", "flat", { container: { runtime: "netns", ref: "gone" } })]),
      { exec: host.exec, netnsDir },
    );
    expect(result.results[0]).toMatchObject({
      status: "failed",
      error: expect.stringContaining("network namespace gone not found"),
    });
    expect(host.calls.filter((c) => c.includes(hostIfname("e3")))).toEqual([]);
  });

  it("a command failing half-way is reported with its own error text and rolled back", async () => {
    const host = fakeHost([[/route replace default/, "Error: Nexthop has invalid gateway."]]);
    const result = await reconcile(state([ep("e4", "flat", { setDefaultRoute: true })]), {
      exec: host.exec,
      netnsDir,
    });
    expect(result.results[0]?.status).toBe("failed");
    expect(result.results[0]?.error).toBe(
      `nsenter --net=${netnsDir}/c1 -- ip -4 route replace default via 10.0.0.254 dev eth1 exited 2: Error: Nexthop has invalid gateway.`,
    );
    const add = host.calls.findIndex((c) => c.startsWith(`ip link add ${hostIfname("e4")}`));
    const del = host.calls.indexOf(`ip link del ${hostIfname("e4")}`);
    expect(add).toBeGreaterThanOrEqual(0);
    expect(del).toBeGreaterThan(add);
  });

  it("remembers applied endpoints in the store and forgets removed ones", async () => {
    const host = fakeHost();
    const store = new MemoryEndpointStore();
    await reconcile(state([ep("e5", "flat")]), { exec: host.exec, netnsDir, store });
    expect(store.get("e5")).toMatchObject({ driver: "bridge", ifname: "eth1", hostIfname: hostIfname("e5") });
    const result = await reconcile(state([]), { exec: host.exec, netnsDir, store });
    expect(store.all()).toEqual([]);
    expect(result.events).toContainEqual(expect.objectContaining({ kind: "removed", endpointId: "e5" }));
    expect(host.calls).toContain(`ip link del ${hostIfname("e5")}`);
  });
});

describe("Reconciler", () => {
  it("runs one reconcile at a time and skips states a newer serial superseded", async () => {
    const host = fakeHost();
    const reconciler = new Reconciler({ exec: host.exec, netnsDir });
    const base = state([ep("e6", "flat")]);
    const [a, b, c] = await Promise.all([1, 2, 3].map((serial) => reconciler.apply({ ...base, serial })));
    expect(a).toBeNull();
    expect(b).toBeNull();
    expect(c?.serial).toBe(3);
    expect(c?.results[0]?.status).toBe("applied");
    const later = await reconciler.apply({ ...base, serial: 4 });
    expect(later?.serial).toBe(4);
  });
});
