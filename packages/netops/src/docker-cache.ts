import { statSync } from "node:fs";
import {
  DockerClient,
  type DockerContainerInspect,
  type DockerContainerSummary,
  type DockerEvent,
} from "./docker";

/** What the cache knows of one container. */
export interface CachedContainer {
  id: string;
  name: string;
  /** Docker's state: "running", "exited", "created", "paused", ... */
  state: string;
  running: boolean;
  /** The init process while running (its /proc/PID/ns/net is the container's namespace), else null. */
  pid: number | null;
}

export interface DockerContainerCacheOptions {
  timeoutMs?: number;
  /** Called with the ids of containers that changed (also after a fresh listing: every id). */
  onChange?: (ids: string[]) => void;
  /** Pause before following the event stream again after it ended (daemon absent or restarted). */
  retryMs?: number;
}

/** Events that change nothing the cache holds (exec, health checks, attach, resize, top, ...). */
const IGNORED = /^(exec_|health_status|attach|resize|top|commit|copy|export|archive-path|detach)/;

/**
 * A DockerClient whose `listContainers()` and `inspect()` answer from memory, kept current by the
 * daemon's event stream: a listing and one inspect per running container when the stream opens, then
 * one inspect per event that concerns a container. So an apply or an inventory pass asks the daemon
 * nothing. Until the stream is open (or while the daemon is away) it asks the daemon, as DockerClient
 * does; an unknown reference is also asked (a container started a moment ago whose event is on its
 * way) and remembered.
 */
export class DockerContainerCache extends DockerClient {
  private readonly containers = new Map<string, CachedContainer>();
  /** Per container: the sequence number of the newest inspect whose answer was stored. */
  private readonly applied = new Map<string, number>();
  private seq = 0;
  private stream: { stop(): void } | null = null;
  private retry: NodeJS.Timeout | null = null;
  private stopped = true;
  private syncedFlag = false;
  private firstSync: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(ids: string[]) => void>();

  constructor(
    socketPath: string,
    private readonly cacheOptions: DockerContainerCacheOptions = {},
  ) {
    super(socketPath, cacheOptions.timeoutMs);
    if (cacheOptions.onChange) this.listeners.add(cacheOptions.onChange);
  }

  /** Adds a listener for changed container ids; returns its removal. */
  subscribe(listener: (ids: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(ids: string[]): void {
    for (const listener of this.listeners) listener(ids);
  }

  /** True while the event stream is open and the initial listing is done: answers come from memory. */
  get synced(): boolean {
    return this.syncedFlag;
  }

  /** Starts following the daemon; resolves after the first attempt (the daemon may be absent: then later). */
  start(): Promise<void> {
    if (!this.stopped) return this.firstSync;
    this.stopped = false;
    this.firstSync = this.follow();
    return this.firstSync;
  }

  stop(): void {
    this.stopped = true;
    this.syncedFlag = false;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    this.stream?.stop();
    this.stream = null;
  }

  /** Every known container (a copy). */
  cached(): CachedContainer[] {
    return [...this.containers.values()].map((c) => ({ ...c }));
  }

  override async listContainers(): Promise<DockerContainerSummary[]> {
    if (!this.syncedFlag) return super.listContainers();
    return [...this.containers.values()].map((c) => ({ Id: c.id, Names: [`/${c.name}`], State: c.state }));
  }

  override async inspect(ref: string): Promise<DockerContainerInspect | null> {
    const hit = this.syncedFlag ? this.find(ref) : undefined;
    // A cached pid must still be a process: between a restart and its event the old one is gone.
    if (hit && (hit.pid === null || processExists(hit.pid))) return toInspect(hit);
    const seq = ++this.seq;
    const fresh = await super.inspect(ref);
    if (fresh) this.store(fresh, seq);
    return fresh;
  }

  private find(ref: string): CachedContainer | undefined {
    const byId = this.containers.get(ref);
    if (byId) return byId;
    const name = ref.replace(/^\//, "");
    let prefixMatch: CachedContainer | undefined;
    let prefixCount = 0;
    for (const c of this.containers.values()) {
      if (c.name === name) return c;
      if (ref.length >= 4 && c.id.startsWith(ref)) {
        prefixMatch = c;
        prefixCount++;
      }
    }
    return prefixCount === 1 ? prefixMatch : undefined;
  }

  private store(info: DockerContainerInspect, seq: number): void {
    if ((this.applied.get(info.Id) ?? -1) > seq) return;
    this.applied.set(info.Id, seq);
    const running = info.State.Running && info.State.Pid > 0;
    this.containers.set(info.Id, {
      id: info.Id,
      name: info.Name.replace(/^\//, ""),
      state: info.State.Status,
      running,
      pid: running ? info.State.Pid : null,
    });
  }

  private forget(id: string, seq: number): void {
    this.applied.set(id, seq);
    this.containers.delete(id);
  }

  /** Re-reads one container after an event (gone: forgotten). */
  private async refresh(id: string): Promise<void> {
    const seq = ++this.seq;
    try {
      const info = await super.inspect(id);
      if (info) this.store(info, seq);
      else this.forget(id, seq);
    } catch {
      // the daemon went away; the stream's end resets the cache
    }
    this.changed([id]);
  }

  private onEvent(event: DockerEvent | undefined): void {
    if (!event || IGNORED.test(event.action)) return;
    if (event.action === "destroy") {
      this.forget(event.id, ++this.seq);
      this.changed([event.id]);
      return;
    }
    void this.refresh(event.id);
  }

  private follow(): Promise<void> {
    return new Promise<void>((settle) => {
      let settled = false;
      const once = () => {
        if (!settled) {
          settled = true;
          settle();
        }
      };
      const watch = this.watchContainerEvents(
        (event) => this.onEvent(event),
        () => {
          // The stream is open first, so nothing that happens during the listing is missed.
          void this.relist().finally(once);
        },
      );
      this.stream = watch;
      void watch.done.then(() => {
        this.stream = null;
        this.syncedFlag = false;
        once();
        if (this.stopped) return;
        this.retry = setTimeout(() => {
          this.retry = null;
          if (!this.stopped) void this.follow();
        }, this.cacheOptions.retryMs ?? 5_000);
        this.retry.unref();
      });
    });
  }

  private async relist(): Promise<void> {
    const seq = ++this.seq;
    try {
      const list = await super.listContainers();
      const infos = await Promise.all(
        list.map(async (summary) => {
          if (summary.State !== "running") return { summary, info: null };
          return { summary, info: await super.inspect(summary.Id).catch(() => null) };
        }),
      );
      const seen = new Set<string>();
      for (const { summary, info } of infos) {
        seen.add(summary.Id);
        if (info) this.store(info, seq);
        else
          this.store(
            {
              Id: summary.Id,
              Name: summary.Names[0] ?? summary.Id.slice(0, 12),
              State: { Status: summary.State, Running: false, Pid: 0 },
            },
            seq,
          );
      }
      // A container an event stored after the listing began is newer than the listing: kept.
      for (const id of [...this.containers.keys()])
        if (!seen.has(id) && (this.applied.get(id) ?? -1) <= seq) this.forget(id, seq);
      this.syncedFlag = this.stream !== null;
      this.changed([...seen]);
    } catch {
      this.syncedFlag = false;
    }
  }
}

function processExists(pid: number): boolean {
  try {
    statSync(`/proc/${pid}/ns/net`);
    return true;
  } catch {
    return false;
  }
}

function toInspect(c: CachedContainer): DockerContainerInspect {
  return { Id: c.id, Name: `/${c.name}`, State: { Status: c.state, Running: c.running, Pid: c.pid ?? 0 } };
}
