/**
 * The OVSDB client against a real ovsdb-server and ovs-vswitchd (a private OVS in a per-run namespace),
 * with `ovs-vsctl --format=json` as the independent oracle for everything it writes and reads.
 * Root only; missing prerequisites fail, never skip.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OVS_LIST_ARGS, ovsMap, ovsSet, parseOvsList, parseOvsTable } from "../src/inventory/ovs";
import { OvsMonitor, Vswitch } from "../src/ovsdb";
import {
  createNetns,
  type NetnsHandle,
  type PrivateOvs,
  requirePrerequisites,
  runPrefix,
  startPrivateOvs,
  waitFor,
} from "../src/testkit";

const prefix = runPrefix("syo");
const cleanups: (() => Promise<void>)[] = [];
let host: NetnsHandle;
let ovs: PrivateOvs;
let vs: Vswitch;

interface PortRow {
  name: string;
  tag: unknown;
  trunks: unknown;
  external_ids: unknown;
}

async function vsctlPorts(): Promise<PortRow[]> {
  const out = await ovs.vsctl(["--format=json", "--columns=name,tag,trunks,external_ids", "list", "port"]);
  return parseOvsTable(JSON.parse(out)) as unknown as PortRow[];
}
const port = async (name: string) => (await vsctlPorts()).find((p) => p.name === name);
const portsOf = async (bridge: string) =>
  (await ovs.vsctl(["list-ports", bridge])).trim().split("\n").filter(Boolean);

beforeAll(async () => {
  await requirePrerequisites({
    root: true,
    programs: {
      ip: "iproute2",
      "ovs-vsctl": "openvswitch-switch",
      "ovsdb-tool": "openvswitch-switch",
      "ovsdb-server": "openvswitch-switch",
      "ovs-vswitchd": "openvswitch-switch",
    },
  });
  host = await createNetns(`${prefix}-host`);
  cleanups.push(() => host.remove());
  ovs = await startPrivateOvs({ netns: host.name });
  cleanups.push(() => ovs.stop());
  vs = await Vswitch.connect(ovs.db);
  cleanups.push(async () => vs.close());
  for (const name of ["va0", "vb0"]) {
    await host.run(["ip", "link", "add", name, "type", "veth", "peer", "name", name.replace("0", "1")]);
    await host.run(["ip", "link", "set", name, "up"]);
  }
}, 60_000);

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch((e) => console.error(e));
}, 60_000);

describe("OVSDB client on a real ovsdb-server", () => {
  it("adds a bridge with datapath type and external ids, seen by ovs-vsctl", async () => {
    await vs.addBridge("ovs0", { datapathType: "netdev", externalIds: { switchyard: "1" } });
    await vs.addBridge("ovs1", { datapathType: "netdev" });
    expect((await ovs.vsctl(["list-br"])).trim().split("\n")).toEqual(["ovs0", "ovs1"]);
    expect((await ovs.vsctl(["get", "bridge", "ovs0", "datapath_type"])).trim()).toBe("netdev");
    expect((await ovs.vsctl(["br-get-external-id", "ovs0", "switchyard"])).trim()).toBe("1");
    expect(await portsOf("ovs0")).toEqual([]);
    expect((await vs.bridgeExternalIds()).get("ovs0")).toEqual({ switchyard: "1" });
  });

  it("adds an access port (Interface + Port with tag and external_ids, Bridge.ports mutated) in one transaction", async () => {
    await vs.addPort("ovs0", "va0", { tag: 100, externalIds: { "switchyard-attachment": "ep-1" } });
    const p = await port("va0");
    expect(p?.tag).toBe(100);
    expect(ovsMap(p?.external_ids)).toEqual({ "switchyard-attachment": "ep-1" });
    expect(await portsOf("ovs0")).toEqual(["va0"]);
    expect((await ovs.vsctl(["get", "interface", "va0", "type"])).trim()).toBe('""');
  });

  it("reads the same bridges as `ovs-vsctl --format=json list` (select in one transaction)", async () => {
    await vs.addPort("ovs0", "vb0", { trunks: [100, 200] });
    const oracle = parseOvsList(await ovs.vsctl(["--format=json", ...OVS_LIST_ARGS]));
    expect(await vs.listBridges()).toEqual(oracle);
    expect(oracle.find((b) => b.name === "ovs0")?.ports.map((p) => p.name)).toEqual(["ovs0", "va0", "vb0"]);
  });

  it("changes only the settings given: tag cleared, trunks, one external id set and the others kept", async () => {
    await vs.setPort("va0", { externalIds: { other: "x" } });
    await vs.setPort("va0", { tag: 200, externalIds: { "switchyard-attachment": "ep-2" } });
    let p = await port("va0");
    expect(p?.tag).toBe(200);
    expect(ovsMap(p?.external_ids)).toEqual({ "switchyard-attachment": "ep-2", other: "x" });
    await vs.setPort("va0", { tag: null });
    await vs.setPort("vb0", { trunks: [] });
    p = await port("va0");
    expect(ovsSet(p?.tag)).toEqual([]);
    expect(ovsSet((await port("vb0"))?.trunks)).toEqual([]);
    await expect(vs.setPort("nope0", { tag: 5 })).rejects.toThrow(/no port named nope0/);
  });

  it("adding a port that exists on another bridge moves it", async () => {
    await vs.addPort("ovs1", "va0", { tag: 300 });
    expect(await portsOf("ovs0")).toEqual(["vb0"]);
    expect(await portsOf("ovs1")).toEqual(["va0"]);
    expect((await port("va0"))?.tag).toBe(300);
    expect((await vsctlPorts()).filter((p) => p.name === "va0")).toHaveLength(1);
  });

  it("a port on a missing bridge fails with the reason and changes nothing", async () => {
    const before = await vsctlPorts();
    await expect(vs.addPort("nobr", "va0", { tag: 1 })).rejects.toThrow(/no bridge named nobr/);
    expect(await vsctlPorts()).toEqual(before);
  });

  it("waits for ovs-vswitchd only when asked: then the port has its OpenFlow port number", async () => {
    await vs.delPort("va0");
    await vs.addPort("ovs0", "va0", { tag: 100 }, { waitApplied: true });
    const [cur, next] = (await ovs.vsctl(["get", "Open_vSwitch", ".", "cur_cfg", "next_cfg"]))
      .trim()
      .split("\n");
    expect(Number(cur)).toBeGreaterThanOrEqual(Number(next));
    const ofport = Number((await ovs.vsctl(["get", "interface", "va0", "ofport"])).trim());
    expect(ofport).toBeGreaterThan(0);
  });

  it("removes ports and bridges (--if-exists semantics)", async () => {
    expect(await vs.delPort("va0")).toBe(true);
    expect(await vs.delPort("va0")).toBe(false);
    expect(await vs.delPort("vb0", "ovs1")).toBe(false);
    expect(await portsOf("ovs0")).toEqual(["vb0"]);
    expect(await vs.delBridge("ovs1")).toBe(true);
    expect(await vs.delBridge("ovs1")).toBe(false);
    expect((await ovs.vsctl(["list-br"])).trim()).toBe("ovs0");
  });

  it("a monitor keeps a copy equal to ovs-vsctl's view and reports changes made by others", async () => {
    let changes = 0;
    const monitor = new OvsMonitor({ remote: ovs.db, onChange: () => changes++ });
    try {
      await monitor.ready();
      expect(monitor.synced).toBe(true);
      const oracle = () => ovs.vsctl(["--format=json", ...OVS_LIST_ARGS]).then(parseOvsList);
      expect(monitor.bridges()).toEqual(await oracle());
      const before = changes;
      await ovs.vsctl(["add-port", "ovs0", "va0", "tag=42", "--", "set", "port", "va0", "external_ids:k=v"]);
      await waitFor("the monitor to see va0", 5_000, async () =>
        monitor.bridges()[0]?.ports.some((p) => p.name === "va0" && p.tag === 42) ? true : null,
      );
      expect(changes).toBeGreaterThan(before);
      expect(monitor.bridges()).toEqual(await oracle());
      await ovs.vsctl(["set", "port", "va0", "tag=43"]);
      await waitFor("the monitor to see tag 43", 5_000, async () =>
        monitor.bridges()[0]?.ports.some((p) => p.name === "va0" && p.tag === 43) ? true : null,
      );
      expect(monitor.bridges()).toEqual(await oracle());
      await ovs.vsctl(["del-port", "va0"]);
      await waitFor("the monitor to see va0 gone", 5_000, async () =>
        monitor.bridges()[0]?.ports.some((p) => p.name === "va0") ? null : true,
      );
      expect(monitor.bridges()).toEqual(await oracle());
    } finally {
      monitor.stop();
    }
  });
});
