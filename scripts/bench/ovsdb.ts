/**
 * `npm run bench -- ovsdb [--count N]`: adding an OVS access port (Interface + Port with tag and
 * external_ids + Bridge.ports) through ovs-vsctl against Switchyard's OVSDB client, without and with
 * waiting for ovs-vswitchd (cur_cfg), and listing every bridge/port/interface both ways once N ports
 * exist. A private OVS (ovsdb-server + ovs-vswitchd, userspace datapath) in a namespace of its own;
 * prints JSON. Root only.
 */
import { parseArgs } from "node:util";
import { exec } from "../../packages/netops/src/exec";
import { OVS_LIST_ARGS } from "../../packages/netops/src/inventory/ovs";
import { Vswitch } from "../../packages/netops/src/ovsdb";
import { createNetns, runPrefix, startPrivateOvs } from "../../packages/netops/src/testkit";

const { values } = parseArgs({ options: { count: { type: "string" } }, strict: true });
const count = Number(values.count ?? 100);

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0) * 100) / 100;
  return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: q(1) };
}
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

async function timeEach(n: number, fn: (i: number) => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    out.push(ms(t));
  }
  return out;
}

if (process.getuid?.() !== 0) throw new Error("ovsdb bench: must run as root");
const host = await createNetns(`${runPrefix("sybo")}`);
const ovs = await startPrivateOvs({ netns: host.name }).catch(async (error) => {
  await host.remove();
  throw error;
});
try {
  await ovs.vsctl(["add-br", "ovs0", "--", "set", "bridge", "ovs0", "datapath_type=netdev"]);
  const vs = await Vswitch.connect(ovs.db);
  const vsctl = (args: string[]) => exec(["ovs-vsctl", `--db=${ovs.db}`, "--timeout=20", ...args]);
  const ids = (i: number) => ({ "switchyard-attachment": `ep-${i}` });
  const result = {
    bench: "ovsdb",
    what: "add an access port with tag and external_ids (ms per port); list Bridge+Port+Interface (ms per listing)",
    count,
    add_port_ovs_vsctl: stats(
      await timeEach(count, (i) =>
        vsctl([
          "add-port",
          "ovs0",
          `pv${i}`,
          "tag=100",
          "--",
          "set",
          "port",
          `pv${i}`,
          `external_ids:switchyard-attachment=ep-${i}`,
        ]),
      ),
    ),
    add_port_ovsdb: stats(
      await timeEach(count, (i) => vs.addPort("ovs0", `pd${i}`, { tag: 100, externalIds: ids(i) })),
    ),
    add_port_ovsdb_wait_vswitchd: stats(
      await timeEach(count, (i) =>
        vs.addPort("ovs0", `pw${i}`, { tag: 100, externalIds: ids(i) }, { waitApplied: true }),
      ),
    ),
    ports: 3 * count + 1,
    list_ovs_vsctl: stats(await timeEach(20, () => vsctl(["--format=json", ...OVS_LIST_ARGS]))),
    list_ovsdb_select: stats(await timeEach(20, () => vs.listBridges())),
  };
  const listed = (await vs.listBridges())[0]?.ports.length;
  if (listed !== result.ports) throw new Error(`expected ${result.ports} ports on ovs0, listed ${listed}`);
  vs.close();
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  await ovs.stop();
  await host.remove();
}
