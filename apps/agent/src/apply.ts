import {
  type DesiredState,
  type DesiredStateResult,
  desiredStateSchema,
  type EndpointResult,
} from "@switchyard/protocol";
import type { Logger } from "./logger";

/** What applies a desired state on this host (the netops Reconciler in production). */
export interface StateReconciler {
  /** Resolves the result, or null when a newer serial superseded this state while it waited. */
  apply(state: DesiredState): Promise<DesiredStateResult | null>;
}

export interface ApplierInput {
  reconciler: StateReconciler;
  logger: Logger;
  /** Re-applies the last state this often (drift repair); 0 disables. */
  reconcileIntervalMs: number;
}

/** Where results go: the current connection's channel, or nothing while disconnected. */
export type ResultSink = (result: DesiredStateResult) => Promise<boolean>;

export interface Applier {
  /** A `server:desired-state` payload arrived: validate, apply (newest serial wins), report through `send`. */
  receive(payload: unknown, send: ResultSink): Promise<void>;
  /** The connection's sink changed (null: disconnected). Periodic re-applies report through it. */
  setSink(send: ResultSink | null): void;
  /** Serial of the newest state applied on this host (0 before any). */
  appliedSerial(): number;
  /** Resolves when every queued apply has finished (tests). */
  idle(): Promise<void>;
  stop(): void;
}

const summary = (r: DesiredStateResult) =>
  r.results
    .map((x: EndpointResult) => `${x.endpointId}=${x.status}:${x.error ?? ""}:${x.hostIfname ?? ""}`)
    .sort()
    .join(",");

/**
 * Applies desired states one at a time through the reconciler (which skips a state superseded by a
 * newer serial), answers each applied state with its result, and re-applies the last state every
 * `reconcileIntervalMs` so drift (a veth deleted or an OVS tag changed by hand) is repaired and reported
 * even when nothing new arrives. A periodic pass reports only when something happened (events) or a
 * result changed. After a restart the agent starts empty and applies whatever the server sends on connect.
 */
export function createApplier(input: ApplierInput): Applier {
  const { reconciler, logger } = input;
  let last: DesiredState | null = null;
  let applied = 0;
  let lastSummary = "";
  /** Error messages of the last report: a periodic pass does not report the same failures again. */
  let lastErrors = new Set<string>();
  let sink: ResultSink | null = null;
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;

  const report = async (result: DesiredStateResult, send: ResultSink | null, always: boolean) => {
    const s = summary(result);
    const changed = s !== lastSummary;
    const errors = new Set(result.events.filter((e) => e.kind === "error").map((e) => e.message));
    const news = result.events.filter((e) => e.kind !== "error" || !lastErrors.has(e.message));
    if (!always && !changed && news.length === 0) return;
    if (!send) return;
    lastSummary = s;
    lastErrors = errors;
    try {
      if (!(await send(result)))
        logger.warn("desired state result not acknowledged", { serial: result.serial });
    } catch (error) {
      logger.warn("sending the desired state result failed", { serial: result.serial, error });
    }
  };

  const run = async (state: DesiredState, send: ResultSink | null, always: boolean) => {
    const started = performance.now();
    let result: DesiredStateResult | null;
    try {
      result = await reconciler.apply(state);
    } catch (error) {
      logger.error("applying the desired state failed", { serial: state.serial, error });
      return;
    }
    if (!result) {
      logger.debug("desired state superseded by a newer serial", { serial: state.serial });
      return;
    }
    applied = Math.max(applied, result.serial);
    const failed = result.results.filter((r) => r.status === "failed");
    const level = failed.length > 0 ? "warn" : result.events.length > 0 ? "info" : "debug";
    logger[level]("desired state applied", {
      serial: result.serial,
      endpoints: result.results.length,
      failed: failed.map((f) => ({ id: f.endpointId, error: f.error })),
      events: result.events.map((e) => `${e.kind}: ${e.message}`),
      ms: Math.round(performance.now() - started),
    });
    await report(result, send, always);
  };

  const enqueue = (work: () => Promise<void>): Promise<void> => {
    const next = chain.then(work, work);
    chain = next.catch(() => undefined);
    return next;
  };

  const timer =
    input.reconcileIntervalMs > 0
      ? setInterval(() => {
          const state = last;
          if (stopped || !state) return;
          void enqueue(() => (last === state ? run(state, sink, false) : Promise.resolve()));
        }, input.reconcileIntervalMs)
      : undefined;
  timer?.unref?.();

  return {
    async receive(payload, send) {
      const parsed = desiredStateSchema.safeParse(payload);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        logger.error("invalid server:desired-state, ignoring it", {
          field: issue?.path.join("."),
          issue: issue?.message,
        });
        return;
      }
      const state = parsed.data;
      if (last && state.serial < last.serial) {
        logger.debug("older desired state ignored", { serial: state.serial, newest: last.serial });
        return;
      }
      last = state;
      // The reconciler itself runs one state at a time and skips superseded serials.
      await run(state, send, true);
    },
    setSink(send) {
      sink = send;
    },
    appliedSerial: () => applied,
    idle: () => chain.then(() => undefined),
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
    },
  };
}
