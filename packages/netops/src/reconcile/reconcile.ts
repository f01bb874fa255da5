import type {
  DesiredEndpoint,
  DesiredNetwork,
  DesiredState,
  EndpointResult,
  ReconcileEvent,
} from "@switchyard/protocol";
import type { DockerClient } from "../docker";
import { ensureEndpoint } from "../drivers/endpoint";
import { HostOps } from "../drivers/host";
import { endpointMtu, ensureNetwork } from "../drivers/network";
import type { DriverOptions, EventSink } from "../drivers/types";
import type { Exec } from "../exec";
import { type RuntimeDeps, resolveContainer } from "../runtime/resolve";
import type { EndpointStore } from "./store";

export interface ReconcileDeps {
  exec?: Exec;
  docker?: DockerClient | undefined;
  /** Remembers applied endpoints between runs; keep one per host (a FileEndpointStore for an agent). */
  store?: EndpointStore;
  options?: Partial<DriverOptions>;
  /** Where named network namespaces live; /run/netns by default. */
  netnsDir?: string;
  now?: () => number;
  /** Endpoints of different containers applied at once (endpoints of one container go one by one). Default 8. */
  concurrency?: number;
  /**
   * Hold gratuitous ARPs back until `runDeferred()` (the agent fires them once the result is on its way),
   * so arping never competes with an apply. Off by default (a one-shot reconcile sends them as it goes).
   */
  deferGarp?: boolean;
}

export const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Endpoints of one container share a namespace (and interface names): they are applied one at a time. */
export const containerKey = (ep: DesiredEndpoint): string => `${ep.container.runtime}:${ep.container.ref}`;

/** What one endpoint's apply needs besides the endpoint. */
export interface EndpointRun {
  ops: HostOps;
  options: DriverOptions;
  emit: EventSink;
  store: EndpointStore;
  runtime: RuntimeDeps;
  now: () => number;
}

/** Creates or repairs one endpoint; never throws (a failure is its result, with the command's error). */
export async function applyEndpoint(
  ep: DesiredEndpoint,
  net: DesiredNetwork,
  mtu: number,
  run: EndpointRun,
): Promise<EndpointResult> {
  const started = run.now();
  const done = (r: Omit<EndpointResult, "endpointId" | "durationMs">): EndpointResult => ({
    endpointId: ep.id,
    ...r,
    durationMs: Math.round((run.now() - started) * 10) / 10,
  });
  try {
    const target = await resolveContainer(ep.container, run.runtime);
    const known = run.store.get(ep.id) !== undefined;
    const hostIfname = await ensureEndpoint({
      ops: run.ops,
      options: run.options,
      emit: run.emit,
      net,
      ep,
      target,
      mtu,
      known,
    });
    run.store.put({
      endpointId: ep.id,
      networkId: net.id,
      driver: net.driver,
      container: ep.container,
      ifname: ep.ifname,
      hostIfname,
    });
    return done({ status: "applied", error: null, hostIfname });
  } catch (error) {
    run.emit({ kind: "error", endpointId: ep.id, networkId: net.id, message: message(error) });
    return done({ status: "failed", error: message(error), hostIfname: null });
  }
}

/** Creates or repairs networks; returns each one's endpoint MTU, or its error. */
export async function prepareNetworks(
  nets: readonly DesiredNetwork[],
  state: DesiredState,
  ops: HostOps,
  options: DriverOptions,
  emit: EventSink,
): Promise<{ mtus: Map<string, number>; errors: Map<string, string> }> {
  const mtus = new Map<string, number>();
  const errors = new Map<string, string>();
  for (const net of nets) {
    try {
      await ensureNetwork(net, state, ops, options, emit);
      mtus.set(net.id, await endpointMtu(net, ops));
    } catch (error) {
      const text = `network ${net.name}: ${message(error)}`;
      errors.set(net.id, text);
      emit({ kind: "error", endpointId: null, networkId: net.id, message: text });
    }
  }
  return { mtus, errors };
}

/** Runs tasks at most `limit` at a time. */
export async function runBounded<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      out[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return out;
}

/** A fresh HostOps with the events going to `emit`. */
export function hostOps(exec: Exec, options: DriverOptions, emit: EventSink): HostOps {
  return new HostOps({ exec, options, emit });
}

export type { ReconcileEvent };
