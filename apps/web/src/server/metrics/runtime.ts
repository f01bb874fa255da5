/**
 * What this process measures itself (the database-derived gauges are read per scrape, see render.ts):
 * Node and process metrics, agents connected here, attach/detach latency, desired-state push latency.
 * One registry per process; with several control planes in one process (tests) they add up.
 */
import { AgentEvents, type Operation, ServerToAgentEvents } from "@switchyard/protocol";
import { collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Namespace, Socket } from "socket.io";

export const runtimeRegistry = new Registry();
collectDefaultMetrics({ register: runtimeRegistry });
// prom-client also exports these sums as gauges named *_total, which Prometheus' linter (promtool check
// metrics) rejects as a gauge posing as a counter; the per-type series (nodejs_active_handles{type}, ...)
// stay and sum to the same.
for (const name of [
  "nodejs_active_handles_total",
  "nodejs_active_requests_total",
  "nodejs_active_resources_total",
])
  runtimeRegistry.removeSingleMetric(name);

const agentNamespaces = new Set<Namespace>();

new Gauge({
  name: "switchyard_agents_connected",
  help: "Agent sockets connected to this control-plane process.",
  registers: [runtimeRegistry],
  collect() {
    let n = 0;
    for (const ns of agentNamespaces) n += ns.sockets.size;
    this.set(n);
  },
});

const operationSeconds = new Histogram({
  name: "switchyard_operation_duration_seconds",
  help: "From an attach or detach request to the host agent's result, by kind and outcome.",
  labelNames: ["kind", "status"],
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
  registers: [runtimeRegistry],
});
for (const kind of ["attach", "detach"])
  for (const status of ["applied", "failed"]) operationSeconds.zero({ kind, status });

const pushSeconds = new Histogram({
  name: "switchyard_desired_state_push_duration_seconds",
  help: "From sending a host's desired state to its agent to the agent's result for that serial.",
  buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
  registers: [runtimeRegistry],
});

/** Operations an agent's result just finished: their request-to-result time. */
export function observeFinishedOperations(operations: readonly Operation[]): void {
  for (const op of operations) {
    if (!op.finishedAt || (op.status !== "applied" && op.status !== "failed")) continue;
    const seconds = (Date.parse(op.finishedAt) - Date.parse(op.createdAt)) / 1000;
    if (Number.isFinite(seconds))
      operationSeconds.observe({ kind: op.kind, status: op.status }, Math.max(0, seconds));
  }
}

// A serial's first send is remembered until the agent answers it or a later serial; a host whose agent
// never answers keeps at most this many.
const MAX_PENDING_SERIALS = 32;

const serialOf = (payload: unknown): number | null => {
  const serial = (payload as { serial?: unknown } | null)?.serial;
  return typeof serial === "number" ? serial : null;
};

function watchPushes(socket: Socket): void {
  const sent = new Map<number, number>();
  socket.onAnyOutgoing((event: string, payload: unknown) => {
    const serial = serialOf(payload);
    if (event !== ServerToAgentEvents.desiredState || serial === null || sent.has(serial)) return;
    sent.set(serial, performance.now());
    if (sent.size > MAX_PENDING_SERIALS) sent.delete(sent.keys().next().value as number);
  });
  socket.onAny((event: string, payload: unknown) => {
    const serial = serialOf(payload);
    if (event !== AgentEvents.desiredStateResult || serial === null) return;
    const at = sent.get(serial);
    if (at !== undefined) pushSeconds.observe((performance.now() - at) / 1000);
    for (const s of sent.keys()) if (s <= serial) sent.delete(s);
  });
}

/**
 * Counts the namespace's agent sockets and times the desired-state pushes to them (the hub's broadcasts
 * to a host's room reach its socket's outgoing listeners too). Returns the undo.
 */
export function trackAgentSockets(agents: Namespace): () => void {
  agentNamespaces.add(agents);
  agents.on("connection", watchPushes);
  return () => {
    agents.off("connection", watchPushes);
    agentNamespaces.delete(agents);
  };
}
