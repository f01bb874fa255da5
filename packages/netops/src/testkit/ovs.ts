import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Exec, exec as realExec } from "../exec";
import { readPidFile, stopPid } from "./process";

export interface PrivateOvs {
  /** Directory holding conf.db, db.sock, pidfiles, control sockets and logs. */
  dir: string;
  /** OVSDB remote for `ovs-vsctl --db=` and the agent's `--ovs-db`: `unix:DIR/db.sock`. */
  db: string;
  netns: string;
  ovsdbPid: number;
  vswitchdPid: number;
  /** `ovs-vsctl --db=... ARGS` inside the namespace. */
  vsctl(args: readonly string[]): Promise<string>;
  /** Stops ovs-vswitchd and ovsdb-server by their PIDs and removes `dir` (when the kit created it). */
  stop(): Promise<void>;
}

export interface StartPrivateOvsOptions {
  /** Named network namespace to run OVS in (one OVS per simulated host). */
  netns: string;
  /** Working directory; a fresh temp directory when omitted (and then removed by stop()). */
  dir?: string;
  exec?: Exec;
  schemaPath?: string;
}

/**
 * Starts a private Open vSwitch (own ovsdb-server and ovs-vswitchd, own database and run directory) inside
 * a network namespace, as ENVIRONMENT.md describes. Bridges made on it should use `datapath_type=netdev`
 * (no kernel datapath on the test machines).
 */
export async function startPrivateOvs(options: StartPrivateOvsOptions): Promise<PrivateOvs> {
  const exec = options.exec ?? realExec;
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "sy-ovs-")));
  await mkdir(dir, { recursive: true });
  const db = `unix:${join(dir, "db.sock")}`;
  const netns = options.netns;
  const pids: number[] = [];
  const stop = async () => {
    const vswitchd = await readPidFile(join(dir, "vswitchd.pid"));
    const ovsdb = await readPidFile(join(dir, "ovsdb.pid"));
    for (const pid of [vswitchd, ovsdb, ...pids]) if (pid !== null) await stopPid(pid);
    if (ownDir) await rm(dir, { recursive: true, force: true });
  };
  try {
    await exec([
      "ovsdb-tool",
      "create",
      join(dir, "conf.db"),
      options.schemaPath ?? "/usr/share/openvswitch/vswitch.ovsschema",
    ]);
    await exec(
      [
        "ovsdb-server",
        join(dir, "conf.db"),
        `--remote=p${db}`,
        `--pidfile=${join(dir, "ovsdb.pid")}`,
        `--unixctl=${join(dir, "ovsdb.ctl")}`,
        `--log-file=${join(dir, "ovsdb.log")}`,
        "--detach",
      ],
      { netns, timeoutMs: 20_000 },
    );
    const ovsdbPid = await readPidFile(join(dir, "ovsdb.pid"));
    if (ovsdbPid === null) throw new Error(`ovsdb-server started but wrote no pidfile in ${dir}`);
    pids.push(ovsdbPid);
    await exec(["ovs-vsctl", `--db=${db}`, "--no-wait", "init"], { netns });
    await exec(
      [
        "ovs-vswitchd",
        db,
        `--pidfile=${join(dir, "vswitchd.pid")}`,
        `--unixctl=${join(dir, "vswitchd.ctl")}`,
        `--log-file=${join(dir, "vswitchd.log")}`,
        "--detach",
      ],
      { netns, timeoutMs: 30_000, env: { ...process.env, OVS_RUNDIR: dir } },
    );
    const vswitchdPid = await readPidFile(join(dir, "vswitchd.pid"));
    if (vswitchdPid === null) throw new Error(`ovs-vswitchd started but wrote no pidfile in ${dir}`);
    pids.push(vswitchdPid);
    return {
      dir,
      db,
      netns,
      ovsdbPid,
      vswitchdPid,
      vsctl: async (args) =>
        (await exec(["ovs-vsctl", `--db=${db}`, "--timeout=20", ...args], { netns, timeoutMs: 25_000 }))
          .stdout,
      stop,
    };
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
}
