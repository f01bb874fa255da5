import {
  type DesiredEndpoint,
  type DesiredNetwork,
  type DesiredState,
  type DesiredStateInput,
  type DesiredStateResult,
  desiredStateSchema,
  type EndpointResult,
  type ReconcileEvent,
} from "@switchyard/protocol";
import type { HostOps } from "../drivers/host";
import { endpointHash, OWNED_LINK_PATTERN, vxlanIfname } from "../drivers/names";
import { DEFAULT_DRIVER_OPTIONS, type DriverOptions, type EventSink } from "../drivers/types";
import { exec as defaultExec, type Exec } from "../exec";
import type { RuntimeDeps } from "../runtime/resolve";
import {
  applyEndpoint,
  containerKey,
  hostOps,
  message,
  prepareNetworks,
  type ReconcileDeps,
  runBounded,
} from "./reconcile";
import { removeApplied, removeStale } from "./remove-stale";
import { type AppliedEndpoint, type EndpointStore, MemoryEndpointStore } from "./store";

export interface ApplyOptions {
  /** Endpoints still wanted although absent from the state (the agent could not parse them): left alone. */
  keep?: ReadonlySet<string>;
  /** A network could not be parsed: no bridge or VXLAN device is removed as unused. */
  keepNetworks?: boolean;
}

/** A pool of `limit` slots; waiting pushes go before waiting verifications. */
class PriorityPool {
  private active = 0;
  private readonly high: (() => void)[] = [];
  private readonly low: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  async run<T>(high: boolean, work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) {
      await new Promise<void>((resolve) => (high ? this.high : this.low).push(resolve));
    } else {
      this.active += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.high.shift() ?? this.low.shift();
      if (next) next();
      else this.active -= 1;
    }
  }
}

/** One FIFO lane per key: work of one container runs in order, lanes run side by side. */
class Lanes {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const mine = before.then(work, work);
    const tail = mine.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return mine;
  }

  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all([...this.tails.values()]);
  }
}

const sameIdentity = (rec: AppliedEndpoint, ep: DesiredEndpoint, driver: string): boolean =>
  rec.driver === driver &&
  rec.ifname === ep.ifname &&
  rec.container.runtime === ep.container.runtime &&
  rec.container.ref === ep.container.ref;

/** What makes ensureNetwork necessary again: the network itself and, for OVS, its bridge's VLANs (trunks). */
function networkKey(net: DesiredNetwork, state: DesiredState): string {
  if (net.driver !== "ovs") return JSON.stringify(net);
  const siblings = state.networks
    .filter((n) => n.driver === "ovs" && n.bridgeName === net.bridgeName)
    .map((n) => n.vlan ?? "none")
    .sort();
  return `${JSON.stringify(net)}|${siblings.join(",")}`;
}

/** What an endpoint's apply depends on: its own definition, its network's, the MTU it gets. */
const endpointKey = (ep: DesiredEndpoint, net: DesiredNetwork, mtu: number): string =>
  `${JSON.stringify(ep)}|${JSON.stringify(net)}|${mtu}`;

/** Links events about these were probably our own doing; the periodic verification still checks them. */
const SELF_EVENT_WINDOW_MS = 2_000;

interface Current {
  state: DesiredState;
  keep: ReadonlySet<string>;
  keepNetworks: boolean;
}

/**
 * The host engine (one per host, what an agent holds).
 *
 * `apply(state)` applies what changed since the last applied state: endpoints no longer desired are
 * removed, new or changed networks ensured, new, changed and failed endpoints created or repaired;
 * endpoints already applied are not touched (no command runs in their namespace), so a push costs the
 * same with 1 or 500 endpoints on the host. The first state after a start gets a full pass (leftovers
 * from a crash removed). Endpoints of different containers run in parallel (`concurrency` at most), one
 * container's in order, so a slow container holds up only its own endpoints; a push does not wait for
 * an earlier push's endpoints unless they share a container. A state superseded by a newer serial while
 * it waited resolves null. The result carries every desired endpoint whose outcome is known.
 *
 * `verify()` is the full verification (drift repair): the whole host, or some endpoints only; it runs
 * at a lower priority than pushes, which go first whenever both wait.
 */
export class Reconciler {
  readonly store: EndpointStore;
  private readonly options: DriverOptions;
  private readonly exec: Exec;
  private readonly runtime: RuntimeDeps;
  private readonly now: () => number;
  private readonly concurrency: number;
  private readonly pool: PriorityPool;
  private readonly lanes = new Lanes();
  private hostLock: Promise<unknown> = Promise.resolve();
  private newestSerial = -1;
  private current: Current | null = null;
  private readonly netMemo = new Map<string, { key: string; mtu: number }>();
  /** Per endpoint: the key of the newest work scheduled for it, and the result of that work once done. */
  private readonly scheduled = new Map<string, string>();
  private readonly results = new Map<string, { key: string; result: EndpointResult }>();
  private readonly inFlight = new Map<string, Promise<EndpointResult>>();
  private readonly touchedAt = new Map<string, number>();
  /** Per endpoint, the `touches` count when work on it last started or ended: "changed since X" exactly. */
  private readonly touchedSeq = new Map<string, number>();
  private touches = 0;
  /** The container lane of each endpoint with work scheduled (to queue its removal behind that work). */
  private readonly laneOf = new Map<string, string>();
  private readonly pendingRemoval = new Map<string, Promise<unknown>>();
  private deferred: (() => Promise<unknown>)[] = [];

  constructor(deps: ReconcileDeps = {}) {
    this.store = deps.store ?? new MemoryEndpointStore();
    this.options = { ...DEFAULT_DRIVER_OPTIONS, ...deps.options };
    this.runtime = { docker: deps.docker, netnsDir: deps.netnsDir ?? "/run/netns" };
    this.now = deps.now ?? (() => performance.now());
    this.concurrency = Math.max(1, deps.concurrency ?? 8);
    this.pool = new PriorityPool(this.concurrency);
    const inner = deps.exec ?? defaultExec;
    // Gratuitous ARP is a courtesy to neighbours' caches, not part of the apply: held back until the
    // result is on its way (runDeferred), it never competes with an apply for the CPU.
    this.exec =
      deps.deferGarp && !this.options.garpBlocking
        ? (argv, options) => {
            if (argv.includes("arping") && (argv.includes("-U") || argv.includes("-A"))) {
              this.deferred.push(() => inner(argv, options));
              return Promise.resolve({ stdout: "", stderr: "" });
            }
            return inner(argv, options);
          }
        : inner;
  }

  private ops(emit: EventSink): HostOps {
    return hostOps(this.exec, this.options, emit);
  }

  /** Network-level phases run one at a time. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.hostLock.then(work, work);
    this.hostLock = run.catch(() => undefined);
    return run;
  }

  private endpointRun(emit: EventSink, ops: HostOps) {
    return {
      ops,
      options: this.options,
      emit,
      store: this.store,
      runtime: this.runtime,
      now: this.now,
    };
  }

  private laneOfRecord(rec: AppliedEndpoint): string {
    return `${rec.container.runtime}:${rec.container.ref}`;
  }

  /**
   * Removes what was made for an endpoint, decided when the removal runs (an earlier push may just have
   * made it): unless the current state wants it as it is, or it is kept.
   */
  private async removeIfUnwanted(id: string, emit: EventSink): Promise<void> {
    const rec = this.store.get(id);
    if (!rec) return;
    const cur = this.current;
    if (cur?.keep.has(id)) return;
    const ep = cur?.state.endpoints.find((e) => e.id === id);
    const driver = ep ? cur?.state.networks.find((n) => n.id === ep.networkId)?.driver : undefined;
    if (ep && driver && sameIdentity(rec, ep, driver)) return;
    try {
      await removeApplied(rec, { ops: this.ops(emit), store: this.store, runtime: this.runtime, emit });
    } catch (error) {
      // Host-level, as a failed full cleanup is: the control plane then keeps detaches open.
      emit({
        kind: "error",
        endpointId: null,
        networkId: rec.networkId,
        message: `cleanup: endpoint ${rec.endpointId}: ${message(error)}`,
      });
    }
  }

  /** Applies one endpoint in its container's lane; remembers the result when it is still the newest work. */
  private schedule(
    ep: DesiredEndpoint,
    net: DesiredNetwork,
    key: string,
    high: boolean,
    emit: EventSink,
    ops: HostOps,
    opsSince: number,
  ) {
    this.scheduled.set(ep.id, key);
    const lane = containerKey(ep);
    this.laneOf.set(ep.id, lane);
    const removal = this.pendingRemoval.get(ep.id);
    const task = this.lanes.run(lane, async () => {
      // Moved to another container: the old one's removal (in its own lane) goes first, awaited
      // before taking a slot so waiting never holds one.
      if (removal) await removal.catch(() => undefined);
      return this.pool.run(high, async () => {
        // The shared HostOps may hold a view of the host from before other work changed this endpoint
        // (an earlier push's, in this lane): then this endpoint reads the host afresh.
        const fresh = (this.touchedSeq.get(ep.id) ?? 0) > opsSince;
        this.touch(ep.id);
        const mtu = this.netMemo.get(net.id)?.mtu ?? 1500;
        const run = this.endpointRun(emit, fresh ? this.ops(emit) : ops);
        const result = await applyEndpoint(ep, net, mtu, run);
        this.touch(ep.id);
        if (this.scheduled.get(ep.id) === key) this.results.set(ep.id, { key, result });
        return result;
      });
    });
    this.inFlight.set(ep.id, task);
    void task.finally(() => {
      if (this.inFlight.get(ep.id) === task) this.inFlight.delete(ep.id);
    });
    return task;
  }

  private touch(id: string): void {
    this.touches += 1;
    this.touchedSeq.set(id, this.touches);
    this.touchedAt.set(id, Date.now());
  }

  private forget(id: string): void {
    if (!this.inFlight.has(id)) this.laneOf.delete(id);
    this.scheduled.delete(id);
    this.results.delete(id);
    this.touchedAt.delete(id);
    this.touchedSeq.delete(id);
  }

  apply(input: DesiredStateInput, applyOptions: ApplyOptions = {}): Promise<DesiredStateResult | null> {
    const state = desiredStateSchema.parse(input);
    this.newestSerial = Math.max(this.newestSerial, state.serial);
    const keep = applyOptions.keep ?? new Set<string>();
    const keepNetworks = applyOptions.keepNetworks ?? false;
    const events: ReconcileEvent[] = [];
    const emit: EventSink = (e) => events.push(e);
    const planned = this.exclusive(async () => {
      if (state.serial < this.newestSerial) return null;
      const first = this.current === null;
      this.current = { state, keep, keepNetworks };
      const nets = new Map(state.networks.map((n) => [n.id, n]));
      const desired = new Map(state.endpoints.map((e) => [e.id, e]));
      const removals: Promise<unknown>[] = [];
      const networksGone = [...this.netMemo.keys()].some((id) => !nets.has(id));

      if (first || (networksGone && !keepNetworks)) {
        // A scan of the whole host: only at start and when a network goes (rare), never per attach.
        await this.lanes.idle();
        try {
          await removeStale(state, {
            ops: this.ops(emit),
            store: this.store,
            runtime: this.runtime,
            emit,
            keep,
            keepNetworks,
          });
        } catch (error) {
          emit({ kind: "error", endpointId: null, networkId: null, message: `cleanup: ${message(error)}` });
        }
        for (const id of [...this.netMemo.keys()]) if (!nets.has(id)) this.netMemo.delete(id);
      } else {
        // Applied endpoints, and endpoints still being made by an earlier push, no longer wanted as they are.
        const candidates = new Map<string, string>();
        for (const rec of this.store.all()) candidates.set(rec.endpointId, this.laneOfRecord(rec));
        for (const id of this.inFlight.keys()) {
          const lane = this.laneOf.get(id);
          if (lane && !candidates.has(id)) candidates.set(id, lane);
        }
        for (const [id, lane] of candidates) {
          if (keep.has(id)) continue;
          const rec = this.store.get(id);
          const ep = desired.get(id);
          const driver = ep ? nets.get(ep.networkId)?.driver : undefined;
          if (rec && ep && driver && sameIdentity(rec, ep, driver)) continue;
          // Still being made for this container by an earlier push: that push answers for it. (An
          // attachment never changes its interface name, so there is nothing to undo.)
          if (!rec && ep && containerKey(ep) === lane) continue;
          const removal = this.lanes.run(lane, () =>
            this.pool.run(true, () => this.removeIfUnwanted(id, emit)),
          );
          this.pendingRemoval.set(id, removal);
          void removal.finally(() => {
            if (this.pendingRemoval.get(id) === removal) this.pendingRemoval.delete(id);
          });
          removals.push(removal);
        }
      }
      for (const id of [...this.scheduled.keys()]) if (!desired.has(id)) this.forget(id);

      const changed = state.networks.filter(
        (n) => first || this.netMemo.get(n.id)?.key !== networkKey(n, state),
      );
      const { mtus, errors } = await prepareNetworks(changed, state, this.ops(emit), this.options, emit);
      for (const n of changed) {
        const mtu = mtus.get(n.id);
        if (mtu === undefined) this.netMemo.delete(n.id);
        else this.netMemo.set(n.id, { key: networkKey(n, state), mtu });
      }

      // One HostOps for the push's endpoints: the host's links are read once, not once per endpoint.
      const pushOps = this.ops(emit);
      const pushStarted = this.touches;
      const own = new Map<string, Promise<EndpointResult>>();
      const immediate = new Map<string, EndpointResult>();
      for (const ep of state.endpoints) {
        const net = nets.get(ep.networkId) as DesiredNetwork;
        const memo = this.netMemo.get(net.id);
        if (!memo) {
          const error = errors.get(net.id) ?? `network ${net.name}: not ready on this host`;
          immediate.set(ep.id, { endpointId: ep.id, status: "failed", error, hostIfname: null });
          this.forget(ep.id);
          continue;
        }
        const key = endpointKey(ep, net, memo.mtu);
        const settled = !this.inFlight.has(ep.id);
        const last = this.results.get(ep.id);
        const needed =
          first ||
          this.scheduled.get(ep.id) !== key ||
          (settled && (last === undefined || last.key !== key || last.result.status === "failed"));
        if (needed) own.set(ep.id, this.schedule(ep, net, key, true, emit, pushOps, pushStarted));
      }
      return { own, immediate, removals };
    });

    return planned.then(async (plan) => {
      if (!plan) return null;
      await Promise.all(plan.removals);
      const done = new Map<string, EndpointResult>();
      await Promise.all([...plan.own].map(async ([id, task]) => done.set(id, await task)));
      const results: EndpointResult[] = [];
      for (const ep of state.endpoints) {
        const r =
          plan.immediate.get(ep.id) ??
          done.get(ep.id) ??
          (this.inFlight.has(ep.id) ? undefined : this.results.get(ep.id)?.result);
        if (r) results.push(r);
      }
      return { serial: state.serial, results, events };
    });
  }

  /**
   * Full verification of the last applied state (drift repair), or of the listed endpoints only (a host
   * event touched them). Endpoints a push is working on are left to it. Null before any state.
   */
  async verify(only?: ReadonlySet<string>): Promise<DesiredStateResult | null> {
    if (!this.current) return null;
    const events: ReconcileEvent[] = [];
    const emit: EventSink = (e) => events.push(e);
    if (!only) {
      await this.exclusive(async () => {
        const cur = this.current as Current;
        try {
          await removeStale(cur.state, {
            ops: this.ops(emit),
            store: this.store,
            runtime: this.runtime,
            emit,
            keep: cur.keep,
            keepNetworks: cur.keepNetworks,
          });
        } catch (error) {
          emit({ kind: "error", endpointId: null, networkId: null, message: `cleanup: ${message(error)}` });
        }
        const { mtus } = await prepareNetworks(
          cur.state.networks,
          cur.state,
          this.ops(emit),
          this.options,
          emit,
        );
        for (const n of cur.state.networks) {
          const mtu = mtus.get(n.id);
          if (mtu === undefined) this.netMemo.delete(n.id);
          else this.netMemo.set(n.id, { key: networkKey(n, cur.state), mtu });
        }
      });
    }
    const cur = this.current;
    const ids = only ? [...only] : cur.state.endpoints.map((e) => e.id);
    // One HostOps for the pass: the host's links and OVS are read once, again only after a repair.
    const passOps = this.ops(emit);
    const passStarted = this.touches;
    const verified = await runBounded(
      ids.map((id) => async (): Promise<EndpointResult | null> => {
        // Read at run time: a push may have changed or removed the endpoint meanwhile.
        const now = this.current as Current;
        const ep = now.state.endpoints.find((e) => e.id === id);
        const net = ep ? now.state.networks.find((n) => n.id === ep.networkId) : undefined;
        const memo = net ? this.netMemo.get(net.id) : undefined;
        if (!ep || !net || !memo || this.inFlight.has(id)) return null;
        // Applied by a push since the pass began: nothing to verify (and the pass's view is older).
        if ((this.touchedSeq.get(id) ?? 0) > passStarted) return null;
        return this.schedule(ep, net, endpointKey(ep, net, memo.mtu), false, emit, passOps, passStarted);
      }),
      this.concurrency,
    );
    return {
      serial: this.current.state.serial,
      results: verified.filter((r): r is EndpointResult => r !== null),
      events,
    };
  }

  /** Sends what was held back (gratuitous ARPs) in the background; failures are ignored. */
  runDeferred(): void {
    const work = this.deferred;
    this.deferred = [];
    if (work.length === 0) return;
    void runBounded(
      work.map((w) => () => w().catch(() => undefined)),
      4,
    );
  }

  /**
   * The endpoints a link event (these interface names, seen on the host) may concern, or "all" when it
   * concerns a network (a bridge, an uplink, a VXLAN device). Endpoints applied within the last two
   * seconds are left out: their events are most likely the apply's own.
   */
  affectedByLinks(names: readonly string[]): Set<string> | "all" {
    const cur = this.current;
    if (!cur) return new Set();
    const networkLinks = new Set<string>();
    for (const n of cur.state.networks) {
      if (n.bridgeName) networkLinks.add(n.bridgeName);
      if (n.uplink) networkLinks.add(n.uplink);
      if (n.vni !== undefined) networkLinks.add(vxlanIfname(n.vni));
    }
    const hashes = new Set<string>();
    for (const name of names) {
      if (networkLinks.has(name)) return "all";
      const m = OWNED_LINK_PATTERN.exec(name);
      if (m) hashes.add(m[1] as string);
    }
    const out = new Set<string>();
    if (hashes.size === 0) return out;
    const recent = Date.now() - SELF_EVENT_WINDOW_MS;
    for (const ep of cur.state.endpoints) {
      if (!hashes.has(endpointHash(ep.id))) continue;
      if (this.inFlight.has(ep.id) || (this.touchedAt.get(ep.id) ?? 0) > recent) continue;
      out.add(ep.id);
    }
    return out;
  }

  /** The endpoints of the state applied last (what the host should carry now). */
  desiredEndpoints(): readonly DesiredEndpoint[] {
    return this.current?.state.endpoints ?? [];
  }

  /** Endpoints in containers of this runtime whose ref is one of `refs` (every such endpoint without refs). */
  endpointsIn(runtime: "docker" | "netns", refs?: readonly string[]): Set<string> {
    const cur = this.current;
    const out = new Set<string>();
    if (!cur) return out;
    const wanted = refs ? new Set(refs) : null;
    for (const ep of cur.state.endpoints) {
      if (ep.container.runtime !== runtime) continue;
      if (wanted && !wanted.has(ep.container.ref)) continue;
      out.add(ep.id);
    }
    return out;
  }

  /** Resolves when every queued apply and verification has finished. */
  async idle(): Promise<void> {
    await this.hostLock;
    await this.lanes.idle();
  }
}

/**
 * Brings this host to the desired state in one full pass: removes what is no longer desired, creates or
 * repairs every network, then every endpoint (endpoints of different containers in parallel). Never
 * throws for a failed endpoint: each gets its own result, and a failed one leaves nothing half-made.
 * Events describe what changed (empty when the host already matched). The agent keeps a Reconciler
 * instead, which applies only what changed and verifies the rest off the push path.
 */
export async function reconcile(
  input: DesiredStateInput,
  deps: ReconcileDeps = {},
): Promise<DesiredStateResult> {
  const result = await new Reconciler(deps).apply(input);
  if (!result) throw new Error("reconcile: state superseded");
  return result;
}
