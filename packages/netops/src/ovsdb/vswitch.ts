import type { OvsBridge } from "@switchyard/protocol";
import { buildOvsBridges, ovsMap, ovsUuid } from "../inventory/ovs";
import {
  type OvsdbAtom,
  OvsdbClient,
  type OvsdbCondition,
  OvsdbError,
  type OvsdbOperation,
  type OvsdbRow,
} from "./client";

/** The database ovs-vswitchd reads (schema `/usr/share/openvswitch/vswitch.ovsschema`). */
export const VSWITCH_DB = "Open_vSwitch";

/** The columns the inventory and the drivers read (the same as `OVS_LIST_ARGS`, plus bridge external_ids). */
export const VSWITCH_COLUMNS = {
  Bridge: ["name", "datapath_type", "ports", "external_ids"],
  Port: ["name", "tag", "trunks", "interfaces", "external_ids"],
  Interface: ["name", "type", "external_ids"],
} as const;

export interface OvsPortSettings {
  /** undefined: left alone; null: cleared (an untagged port); a number: access VLAN. */
  tag?: number | null;
  /** undefined: left alone; []: every VLAN (OVS's empty trunks). */
  trunks?: number[];
  /** Keys set (others kept), like `ovs-vsctl set port P external_ids:K=V`. */
  externalIds?: Record<string, string>;
}

export interface VswitchTables {
  bridges: OvsdbRow[];
  ports: OvsdbRow[];
  interfaces: OvsdbRow[];
}

export interface WriteOptions {
  /**
   * Also wait until ovs-vswitchd has applied the change (`cur_cfg` reaches the `next_cfg` this
   * transaction set), as ovs-vsctl does after every change. About 50 ms with vswitchd running, forever
   * without it (bounded by `timeoutMs`), so only for what needs the datapath to have the port: a frame
   * that must leave through it (gratuitous ARP), not the database change itself.
   */
  waitApplied?: boolean;
}

const eq = (column: string, value: unknown): OvsdbCondition => [column, "==", value];
const set = (atoms: OvsdbAtom[]): ["set", OvsdbAtom[]] => ["set", atoms];
const map = (record: Record<string, string>): ["map", [string, string][]] => ["map", Object.entries(record)];
const uuidOf = (row: OvsdbRow | undefined): string | null => (row ? ovsUuid(row._uuid) : null);

/** Fails the whole transaction at once when the bridge is missing (a wait with timeout 0 never waits). */
const bridgeExists = (bridge: string): OvsdbOperation => ({
  op: "wait",
  table: "Bridge",
  where: [eq("name", bridge)],
  columns: ["name"],
  until: "==",
  rows: [{ name: bridge }],
  timeout: 0,
});

const noBridge =
  (bridge: string) =>
  (error: unknown): never => {
    if (error instanceof OvsdbError && error.error === "timed out")
      throw new OvsdbError(`OVS database: no bridge named ${bridge}`, error.error, error.details);
    throw error;
  };

const BUMP_CFG: OvsdbOperation[] = [
  { op: "mutate", table: "Open_vSwitch", where: [], mutations: [["next_cfg", "+=", 1]] },
  { op: "select", table: "Open_vSwitch", where: [], columns: ["next_cfg"] },
];

/** Switchyard's operations on the Open_vSwitch database, each one transaction (or a select then one). */
export class Vswitch {
  private cfgWatch: Promise<void> | null = null;
  private curCfg = -1;
  private lastCfg: number | null = null;
  private readonly cfgWaiters = new Set<{ cfg: number; resolve(): void }>();

  constructor(readonly client: OvsdbClient) {}

  static async connect(remote: string, timeoutMs?: number): Promise<Vswitch> {
    return new Vswitch(await OvsdbClient.connect(remote, { timeoutMs }));
  }

  close(): void {
    this.client.close();
  }

  /** Bridge, Port and Interface rows from one transaction (a consistent snapshot). */
  async readTables(): Promise<VswitchTables> {
    const [b, p, i] = await this.client.transact(VSWITCH_DB, [
      { op: "select", table: "Bridge", where: [], columns: ["_uuid", ...VSWITCH_COLUMNS.Bridge] },
      { op: "select", table: "Port", where: [], columns: ["_uuid", ...VSWITCH_COLUMNS.Port] },
      { op: "select", table: "Interface", where: [], columns: ["_uuid", ...VSWITCH_COLUMNS.Interface] },
    ]);
    return { bridges: b?.rows ?? [], ports: p?.rows ?? [], interfaces: i?.rows ?? [] };
  }

  async listBridges(): Promise<OvsBridge[]> {
    const t = await this.readTables();
    return buildOvsBridges(t.bridges, t.ports, t.interfaces);
  }

  /** Each bridge's external_ids, by bridge name. */
  async bridgeExternalIds(): Promise<Map<string, Record<string, string>>> {
    const rows = await this.client.select(VSWITCH_DB, "Bridge", [], ["name", "external_ids"]);
    return new Map(rows.map((r) => [String(r.name), ovsMap(r.external_ids)]));
  }

  /** `add-br NAME -- set bridge NAME datapath_type=T external_ids:...`: bridge, its internal port and interface. */
  async addBridge(
    name: string,
    settings: { datapathType?: string; externalIds?: Record<string, string> },
    options: WriteOptions = {},
  ): Promise<void> {
    await this.write(
      [
        { op: "insert", table: "Interface", "uuid-name": "iface", row: { name, type: "internal" } },
        {
          op: "insert",
          table: "Port",
          "uuid-name": "port",
          row: { name, interfaces: ["named-uuid", "iface"] },
        },
        {
          op: "insert",
          table: "Bridge",
          "uuid-name": "bridge",
          row: {
            name,
            ports: ["named-uuid", "port"],
            ...(settings.datapathType !== undefined ? { datapath_type: settings.datapathType } : {}),
            external_ids: map(settings.externalIds ?? {}),
          },
        },
        {
          op: "mutate",
          table: "Open_vSwitch",
          where: [],
          mutations: [["bridges", "insert", set([["named-uuid", "bridge"]])]],
        },
      ],
      options,
    );
  }

  async setBridgeDatapath(name: string, datapathType: string, options: WriteOptions = {}): Promise<void> {
    const [r] = await this.write(
      [{ op: "update", table: "Bridge", where: [eq("name", name)], row: { datapath_type: datapathType } }],
      options,
    );
    if ((r?.count ?? 0) === 0) throw new OvsdbError(`OVS database: no bridge named ${name}`);
  }

  /** `--if-exists del-br NAME`; resolves whether there was one. Its ports go with it. */
  async delBridge(name: string, options: WriteOptions = {}): Promise<boolean> {
    const uuid = uuidOf((await this.client.select(VSWITCH_DB, "Bridge", [eq("name", name)], ["_uuid"]))[0]);
    if (!uuid) return false;
    await this.write(
      [
        {
          op: "mutate",
          table: "Open_vSwitch",
          where: [],
          mutations: [["bridges", "delete", set([["uuid", uuid]])]],
        },
      ],
      options,
    );
    return true;
  }

  /**
   * `--if-exists del-port NAME -- add-port BRIDGE NAME tag=... trunks=... external_ids:...`: a port of
   * that name on any bridge is replaced. The new port is one transaction, which fails (adding nothing)
   * when the bridge does not exist.
   */
  async addPort(
    bridge: string,
    name: string,
    settings: OvsPortSettings = {},
    options: WriteOptions = {},
  ): Promise<void> {
    const existing = uuidOf((await this.client.select(VSWITCH_DB, "Port", [eq("name", name)], ["_uuid"]))[0]);
    if (existing) {
      // Removed in a transaction of its own, and ovs-vswitchd given the time to drop it: replacing a port
      // by one of the same name in one transaction leaves vswitchd on the old device (a veth deleted and
      // made again has a new ifindex), and the new port never forwards. Only repairs come here.
      await this.write(
        [
          bridgeExists(bridge),
          {
            op: "mutate",
            table: "Bridge",
            where: [["ports", "includes", ["uuid", existing]]],
            mutations: [["ports", "delete", set([["uuid", existing]])]],
          },
        ],
        {},
      ).catch(noBridge(bridge));
      await this.settled().catch(() => undefined);
    }
    const row: OvsdbRow = { name, interfaces: ["named-uuid", "iface"] };
    if (settings.tag !== undefined) row.tag = settings.tag === null ? set([]) : settings.tag;
    if (settings.trunks !== undefined) row.trunks = set(settings.trunks);
    if (settings.externalIds !== undefined) row.external_ids = map(settings.externalIds);
    await this.write(
      [
        bridgeExists(bridge),
        { op: "insert", table: "Interface", "uuid-name": "iface", row: { name } },
        { op: "insert", table: "Port", "uuid-name": "port", row },
        {
          op: "mutate",
          table: "Bridge",
          where: [eq("name", bridge)],
          mutations: [["ports", "insert", set([["named-uuid", "port"]])]],
        },
      ],
      options,
    ).catch(noBridge(bridge));
  }

  /** `set port NAME ...`: only the settings given change. Fails when there is no such port. */
  async setPort(name: string, settings: OvsPortSettings, options: WriteOptions = {}): Promise<void> {
    const row: OvsdbRow = {};
    if (settings.tag !== undefined) row.tag = settings.tag === null ? set([]) : settings.tag;
    if (settings.trunks !== undefined) row.trunks = set(settings.trunks);
    const ops: OvsdbOperation[] = [];
    if (Object.keys(row).length > 0)
      ops.push({ op: "update", table: "Port", where: [eq("name", name)], row });
    const ids = Object.entries(settings.externalIds ?? {});
    if (ids.length > 0) {
      // A map "insert" keeps an existing key's old value, so each key is deleted first (same operation).
      ops.push({
        op: "mutate",
        table: "Port",
        where: [eq("name", name)],
        mutations: [
          ["external_ids", "delete", set(ids.map(([k]) => k))],
          ["external_ids", "insert", ["map", ids]],
        ],
      });
    }
    if (ops.length === 0) return;
    const results = await this.write(ops, options);
    if ((results[0]?.count ?? 0) === 0) throw new OvsdbError(`OVS database: no port named ${name}`);
  }

  /** `--if-exists del-port [BRIDGE] NAME`; resolves whether a port was removed. */
  async delPort(name: string, bridge?: string, options: WriteOptions = {}): Promise<boolean> {
    const uuid = uuidOf((await this.client.select(VSWITCH_DB, "Port", [eq("name", name)], ["_uuid"]))[0]);
    if (!uuid) return false;
    const where: OvsdbCondition[] = [["ports", "includes", ["uuid", uuid]]];
    if (bridge !== undefined) where.push(eq("name", bridge));
    const [r] = await this.write(
      [{ op: "mutate", table: "Bridge", where, mutations: [["ports", "delete", set([["uuid", uuid]])]] }],
      options,
    );
    return (r?.count ?? 0) > 0;
  }

  /**
   * Resolves once ovs-vswitchd has applied every change up to `cfg` (`cur_cfg >= cfg`); rejects after
   * `timeoutMs` (ovs-vswitchd not running, or stuck).
   */
  async waitForCfg(cfg: number, timeoutMs = this.client.timeoutMs): Promise<void> {
    await this.watchCfg();
    if (this.curCfg >= cfg) return;
    await new Promise<void>((resolve, reject) => {
      const waiter = {
        cfg,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.cfgWaiters.delete(waiter);
        reject(new OvsdbError(`OVS: ovs-vswitchd did not apply configuration ${cfg} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.cfgWaiters.add(waiter);
    });
  }

  /**
   * Resolves once ovs-vswitchd has applied every change this client wrote so far (at once when it wrote
   * none). Rejects after `timeoutMs`.
   */
  settled(timeoutMs = this.client.timeoutMs): Promise<void> {
    return this.lastCfg === null ? Promise.resolve() : this.waitForCfg(this.lastCfg, timeoutMs);
  }

  /**
   * Runs a transaction that also bumps next_cfg, as ovs-vsctl does: vswitchd copies it to cur_cfg once it
   * has applied the change, so `settled()` (or waitApplied) can wait for exactly this write.
   */
  private async write(ops: OvsdbOperation[], options: WriteOptions) {
    const results = await this.client.transact(VSWITCH_DB, [...ops, ...BUMP_CFG]);
    const next = results.at(-1)?.rows?.[0]?.next_cfg;
    if (typeof next === "number") {
      this.lastCfg = Math.max(this.lastCfg ?? 0, next);
      if (options.waitApplied) await this.waitForCfg(next);
    }
    return results.slice(0, ops.length);
  }

  private watchCfg(): Promise<void> {
    if (!this.cfgWatch) {
      const onRows = (rows: Record<string, { new?: OvsdbRow }>) => {
        for (const change of Object.values(rows)) {
          const cur = change.new?.cur_cfg;
          if (typeof cur === "number") this.curCfg = cur;
        }
        for (const w of this.cfgWaiters) {
          if (this.curCfg >= w.cfg) {
            this.cfgWaiters.delete(w);
            w.resolve();
          }
        }
      };
      this.cfgWatch = this.client
        .monitor(VSWITCH_DB, "switchyard-cur-cfg", { Open_vSwitch: { columns: ["cur_cfg"] } }, (u) =>
          onRows(u.Open_vSwitch ?? {}),
        )
        .then((initial) => onRows(initial.Open_vSwitch ?? {}));
      this.cfgWatch.catch(() => {
        this.cfgWatch = null;
      });
    }
    return this.cfgWatch;
  }
}

/**
 * One connection per database remote for the whole process, made on first use and again after it closes
 * (ovsdb-server restarted). A failed connect is not remembered: the next call tries again.
 */
const shared = new Map<string, Promise<Vswitch>>();

export function sharedVswitch(remote: string, timeoutMs?: number): Promise<Vswitch> {
  const existing = shared.get(remote);
  if (existing) return existing;
  const made = Vswitch.connect(remote, timeoutMs).then((v) => {
    v.client.onClose(() => {
      if (shared.get(remote) === made) shared.delete(remote);
    });
    return v;
  });
  made.catch(() => {
    if (shared.get(remote) === made) shared.delete(remote);
  });
  shared.set(remote, made);
  return made;
}

/** Closes the shared connections (tests, shutdown). */
export function closeSharedVswitches(): void {
  for (const [remote, v] of shared) {
    shared.delete(remote);
    v.then((x) => x.close()).catch(() => {});
  }
}
