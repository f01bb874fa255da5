import type { OvsBridge } from "@switchyard/protocol";
import { buildOvsBridges } from "../inventory/ovs";
import { OvsdbClient, type OvsdbRow, type OvsdbTableUpdates } from "./client";
import { VSWITCH_COLUMNS, VSWITCH_DB } from "./vswitch";

export interface OvsMonitorOptions {
  /** `unix:PATH` or `tcp:HOST:PORT`. */
  remote: string;
  /** Called after every change the server reports (also after a reconnect's fresh contents). */
  onChange?: () => void;
  /** Connection state changes: an error while the database cannot be reached, null once it can. */
  onStatus?: (error: string | null) => void;
  /** Delay before reconnecting after the connection failed or closed. */
  retryMs?: number;
  timeoutMs?: number;
}

type Table = Map<string, OvsdbRow>;

/**
 * A replica of the Bridge, Port and Interface tables kept by an OVSDB `monitor`: the initial contents,
 * then every `update` notification. Reading the bridges costs no round trip; `onChange` says when to
 * read again. Reconnects (with a fresh copy) when ovsdb-server goes away and comes back.
 */
export class OvsMonitor {
  private readonly tables: Record<keyof typeof VSWITCH_COLUMNS, Table> = {
    Bridge: new Map(),
    Port: new Map(),
    Interface: new Map(),
  };
  private client: OvsdbClient | null = null;
  private stopped = false;
  private retry: NodeJS.Timeout | null = null;
  private error: string | null = "not connected yet";
  private firstSync: Promise<void>;
  private resolveFirstSync: () => void = () => {};
  /** Bumped on every change: a reader can tell whether its copy is still current. */
  version = 0;

  constructor(private readonly options: OvsMonitorOptions) {
    this.firstSync = new Promise((resolve) => {
      this.resolveFirstSync = resolve;
    });
    void this.connect();
  }

  /** True while connected with a current copy. */
  get synced(): boolean {
    return this.error === null;
  }

  /** Why the copy is not current (null when it is). */
  get lastError(): string | null {
    return this.error;
  }

  /** Resolves after the first attempt to connect and copy (successful or not), or after `timeoutMs`. */
  ready(timeoutMs = this.options.timeoutMs ?? 10_000): Promise<void> {
    return Promise.race([
      this.firstSync,
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }

  bridges(): OvsBridge[] {
    return buildOvsBridges(
      [...this.tables.Bridge.values()],
      [...this.tables.Port.values()],
      [...this.tables.Interface.values()],
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.client?.close();
    this.client = null;
  }

  private setStatus(error: string | null): void {
    if (error === this.error) return;
    this.error = error;
    this.options.onStatus?.(error);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const client = await OvsdbClient.connect(this.options.remote, { timeoutMs: this.options.timeoutMs });
      if (this.stopped) {
        client.close();
        return;
      }
      this.client = client;
      client.onClose((error) => {
        if (this.client !== client) return;
        this.client = null;
        this.setStatus(`OVS database connection lost${error ? `: ${error.message}` : ""}`);
        this.options.onChange?.();
        this.scheduleRetry();
      });
      const requests = Object.fromEntries(
        Object.entries(VSWITCH_COLUMNS).map(([table, columns]) => [table, { columns: [...columns] }]),
      );
      const initial = await client.monitor(VSWITCH_DB, "switchyard-inventory", requests, (u) =>
        this.apply(u),
      );
      for (const table of Object.values(this.tables)) table.clear();
      this.apply(initial);
      this.setStatus(null);
    } catch (error) {
      this.client?.close();
      this.client = null;
      this.setStatus((error as Error).message);
      this.scheduleRetry();
    }
    this.resolveFirstSync();
  }

  private scheduleRetry(): void {
    if (this.stopped || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, this.options.retryMs ?? 1_000);
    this.retry.unref();
  }

  private apply(updates: OvsdbTableUpdates): void {
    for (const [name, rows] of Object.entries(updates)) {
      const table = this.tables[name as keyof typeof VSWITCH_COLUMNS];
      if (!table) continue;
      for (const [uuid, change] of Object.entries(rows)) {
        if (!change.new) {
          table.delete(uuid);
          continue;
        }
        // "modify" carries the changed columns (RFC 7047 sends all monitored ones; merging covers both).
        table.set(uuid, { ...table.get(uuid), ...change.new, _uuid: ["uuid", uuid] });
      }
    }
    this.version++;
    this.options.onChange?.();
  }
}
