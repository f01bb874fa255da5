import {
  type DesiredStateInput,
  type DesiredStateResult,
  desiredStateSchema,
  type EndpointResult,
  type ReconcileEvent,
} from "@switchyard/protocol";
import type { DockerClient } from "../docker";
import { ensureEndpoint } from "../drivers/endpoint";
import { HostOps } from "../drivers/host";
import { endpointMtu, ensureNetwork } from "../drivers/network";
import { DEFAULT_DRIVER_OPTIONS, type DriverOptions } from "../drivers/types";
import { exec as defaultExec, type Exec } from "../exec";
import { resolveContainer } from "../runtime/resolve";
import { removeStale } from "./remove-stale";
import { type EndpointStore, MemoryEndpointStore } from "./store";

export interface ReconcileDeps {
  exec?: Exec;
  docker?: DockerClient | undefined;
  /** Remembers applied endpoints between runs; keep one per host (a FileEndpointStore for an agent). */
  store?: EndpointStore;
  options?: Partial<DriverOptions>;
  /** Where named network namespaces live; /run/netns by default. */
  netnsDir?: string;
  now?: () => number;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Brings this host to the desired state: removes what is no longer desired, creates or repairs every
 * network, then every endpoint (sequentially). Never throws for a failed endpoint: each gets its own
 * result, and a failed one leaves nothing half-made. Events describe what changed (empty when the host
 * already matched).
 */
export async function reconcile(
  input: DesiredStateInput,
  deps: ReconcileDeps = {},
): Promise<DesiredStateResult> {
  const state = desiredStateSchema.parse(input);
  const options: DriverOptions = { ...DEFAULT_DRIVER_OPTIONS, ...deps.options };
  const events: ReconcileEvent[] = [];
  const emit = (e: ReconcileEvent) => events.push(e);
  const ops = new HostOps({ exec: deps.exec ?? defaultExec, options, emit });
  const store = deps.store ?? new MemoryEndpointStore();
  const runtime = { docker: deps.docker, netnsDir: deps.netnsDir ?? "/run/netns" };
  const now = deps.now ?? (() => performance.now());

  try {
    await removeStale(state, { ops, store, runtime, emit });
  } catch (error) {
    emit({ kind: "error", endpointId: null, networkId: null, message: `cleanup: ${message(error)}` });
  }

  const networkErrors = new Map<string, string>();
  const mtus = new Map<string, number>();
  for (const net of state.networks) {
    try {
      await ensureNetwork(net, state, ops, options, emit);
      mtus.set(net.id, await endpointMtu(net, ops));
    } catch (error) {
      networkErrors.set(net.id, `network ${net.name}: ${message(error)}`);
      emit({
        kind: "error",
        endpointId: null,
        networkId: net.id,
        message: `network ${net.name}: ${message(error)}`,
      });
    }
  }

  const results: EndpointResult[] = [];
  for (const ep of state.endpoints) {
    const started = now();
    const net = state.networks.find((n) => n.id === ep.networkId);
    const netError = networkErrors.get(ep.networkId);
    const done = (r: Omit<EndpointResult, "endpointId" | "durationMs">) =>
      results.push({ endpointId: ep.id, ...r, durationMs: Math.round((now() - started) * 10) / 10 });
    if (!net || netError) {
      done({ status: "failed", error: netError ?? "unknown network", hostIfname: null });
      continue;
    }
    try {
      const target = await resolveContainer(ep.container, runtime);
      const known = store.get(ep.id) !== undefined;
      const mtu = mtus.get(net.id) ?? 1500;
      const hostIfname = await ensureEndpoint({ ops, options, emit, net, ep, target, mtu, known });
      store.put({
        endpointId: ep.id,
        networkId: net.id,
        driver: net.driver,
        container: ep.container,
        ifname: ep.ifname,
        hostIfname,
      });
      done({ status: "applied", error: null, hostIfname });
    } catch (error) {
      emit({ kind: "error", endpointId: ep.id, networkId: net.id, message: message(error) });
      done({ status: "failed", error: message(error), hostIfname: null });
    }
  }
  return { serial: state.serial, results, events };
}
