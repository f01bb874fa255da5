import {
  type DesiredEndpoint,
  type DesiredNetwork,
  type DesiredState,
  type DesiredStateResult,
  type DriftRepairMode,
  desiredEndpointSchema,
  desiredNetworkSchema,
  type EndpointResult,
  idSchema,
} from "@switchyard/protocol";
import { z } from "zod";
import type { Logger } from "./logger";

interface ApplyOptions {
  /**
   * Endpoints the server still wants that this agent could not parse: whatever was made for them stays
   * (never torn down as "no longer desired"), so one bad row cannot undo working endpoints.
   */
  keep?: ReadonlySet<string>;
  /** A network could not be parsed: remove no bridge or VXLAN device as unused. */
  keepNetworks?: boolean;
}

/** What applies a desired state on this host (the netops Reconciler in production). */
export interface StateReconciler {
  /** Applies what changed; resolves the result, or null when a newer serial superseded this state. */
  apply(state: DesiredState, options?: ApplyOptions): Promise<DesiredStateResult | null>;
  /**
   * Full verification (drift repair) of the last state, or of some endpoints only. Absent: the applier
   * re-applies the last state instead.
   */
  verify?(only?: ReadonlySet<string>): Promise<DesiredStateResult | null>;
  /** Work held back until the result was handed over (gratuitous ARP). */
  runDeferred?(): void;
}

export interface ApplierInput {
  reconciler: StateReconciler;
  logger: Logger;
  /** Verifies the whole host this often (drift repair); 0 disables. */
  reconcileIntervalMs: number;
  /**
   * `report`: no verification on host events or the interval, so drift stays for the control plane to
   * show (it compares the inventory itself) until `repairNow`. Default `auto`.
   */
  driftRepair?: DriftRepairMode;
  /** First delay before an unacknowledged result is sent again (doubles up to 30 s). Default 1 s. */
  resendDelayMs?: number;
  /** Results kept while unacknowledged; the oldest go first when more pile up. Default 1000. */
  maxUnacknowledged?: number;
  /**
   * Every result once the server acknowledged it (so it is recorded: an address of a removed endpoint is
   * released by then). The CNI handler answers the runtime on it.
   */
  onAcknowledged?: (result: DesiredStateResult) => void;
  /**
   * The containers whose endpoints this apply or verification changed (created, repaired, failed), so the
   * inventory re-reads their namespaces at once instead of guessing which namespace a new veth went to.
   */
  onContainersChanged?: (refs: string[]) => void;
}

/** Where results go: the current connection's channel, or nothing while disconnected. */
type ResultSink = (result: DesiredStateResult) => Promise<boolean>;

export interface Applier {
  /** A `server:desired-state` payload arrived: parse per endpoint, apply, report through the sink. */
  receive(payload: unknown, send: ResultSink): Promise<void>;
  /** The connection's sink changed (null: disconnected). Unacknowledged results go out through it. */
  setSink(send: ResultSink | null): void;
  /**
   * Something of ours may have changed on the host (a link or container event): verify those endpoints
   * (or everything, with no argument) soon, off any user's request.
   */
  hint(endpoints?: ReadonlySet<string>): void;
  /** "Repair now": verify the whole host at once, in either mode; false without a desired state yet. */
  repairNow(): boolean;
  /** Serial of the newest state applied on this host (0 before any). */
  appliedSerial(): number;
  /** Results not yet acknowledged by the server. */
  unacknowledged(): number;
  /** Resolves when every queued apply has finished (tests). */
  idle(): Promise<void>;
  /** Resolves when no apply is running (verifications may be). */
  settled(): Promise<void>;
  stop(): void;
}

/** Verification after a hint waits this long so a burst of events becomes one pass. */
const HINT_VERIFY_DEBOUNCE_MS = 300;
const MAX_RESEND_DELAY_MS = 30_000;

const envelopeSchema = z.object({
  serial: z.number().int().min(0),
  networks: z.array(z.unknown()),
  endpoints: z.array(z.unknown()),
});

const issueText = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length > 0 ? `${i.path.join(".")}: ` : ""}${i.message}`)
    .join("; ");

interface ParsedDesiredState {
  state: DesiredState;
  /** Endpoints that could not be parsed (their own or their network's fault), each with its error. */
  failed: EndpointResult[];
  keep: Set<string>;
  keepNetworks: boolean;
  /** Entries without a usable id: nothing can be answered for them. */
  unanswerable: string[];
}

/**
 * Parses a desired state entry by entry: a network or endpoint that does not parse fails alone (its
 * endpoints get a failed result with the reason) and the rest is applied. Null when even the envelope
 * (serial, arrays) is unusable.
 */
function parseDesiredState(payload: unknown): ParsedDesiredState | { error: string } {
  const envelope = envelopeSchema.safeParse(payload);
  if (!envelope.success) return { error: issueText(envelope.error) };
  const networks: DesiredNetwork[] = [];
  const badNetworks = new Map<string, string>();
  const networkIds = new Set<string>();
  let keepNetworks = false;
  envelope.data.networks.forEach((raw, i) => {
    const parsed = desiredNetworkSchema.safeParse(raw);
    const rawId = (raw as { id?: unknown } | null)?.id;
    if (parsed.success && !networkIds.has(parsed.data.id)) {
      networks.push(parsed.data);
      networkIds.add(parsed.data.id);
      return;
    }
    keepNetworks = true;
    const name = (raw as { name?: unknown } | null)?.name;
    const label = typeof name === "string" ? name : typeof rawId === "string" ? rawId : `#${i}`;
    const why = parsed.success ? "duplicate network id" : issueText(parsed.error);
    if (typeof rawId === "string") badNetworks.set(rawId, `network ${label}: ${why}`);
  });
  for (const id of badNetworks.keys()) {
    const at = networks.findIndex((n) => n.id === id);
    if (at >= 0) networks.splice(at, 1);
  }
  const endpoints: DesiredEndpoint[] = [];
  const failed: EndpointResult[] = [];
  const keep = new Set<string>();
  const unanswerable: string[] = [];
  const seen = new Set<string>();
  envelope.data.endpoints.forEach((raw, i) => {
    const id = idSchema.safeParse((raw as { id?: unknown } | null)?.id);
    if (!id.success) {
      unanswerable.push(`endpoint #${i}: id: ${issueText(id.error)}`);
      return;
    }
    if (seen.has(id.data)) {
      unanswerable.push(`endpoint #${i}: duplicate endpoint ${id.data}`);
      return;
    }
    seen.add(id.data);
    const fail = (error: string) => {
      keep.add(id.data);
      failed.push({ endpointId: id.data, status: "failed", error, hostIfname: null });
    };
    const parsed = desiredEndpointSchema.safeParse(raw);
    if (!parsed.success) fail(`invalid endpoint: ${issueText(parsed.error)}`);
    else if (badNetworks.has(parsed.data.networkId)) fail(badNetworks.get(parsed.data.networkId) as string);
    else if (!networkIds.has(parsed.data.networkId)) fail(`unknown network ${parsed.data.networkId}`);
    else endpoints.push(parsed.data);
  });
  return {
    state: { serial: envelope.data.serial, networks, endpoints },
    failed,
    keep,
    keepNetworks,
    unanswerable,
  };
}

/** A result's identity for "did anything change since the last report". */
const statusOf = (r: EndpointResult) => `${r.status}:${r.error ?? ""}:${r.hostIfname ?? ""}`;

/**
 * Applies desired states through the reconciler (what changed, newest serial wins), answers each with
 * its result, verifies the whole host every `reconcileIntervalMs` and the endpoints a host event
 * touched, and reports a verification only when something happened or a result changed. Every result
 * stays queued until the server acknowledged it: refused, timed out or sent while disconnected, it is
 * sent again (with backoff, and at once on the next connection), oldest first.
 */
export function createApplier(input: ApplierInput): Applier {
  const { reconciler, logger } = input;
  const baseResend = input.resendDelayMs ?? 1_000;
  const maxQueued = input.maxUnacknowledged ?? 1_000;
  let last: { parsed: ParsedDesiredState } | null = null;
  let applied = 0;
  /** Per endpoint, what was last put in a result: a verification repeats nothing already said. */
  const reportedStatus = new Map<string, string>();
  /** Errors already reported, as "endpointId|message" (endpointId empty for host-level errors). */
  const reportedErrors = new Set<string>();
  let sink: ResultSink | null = null;
  let stopped = false;

  // The outbox: results in the order they were made, each until acknowledged.
  const outbox: DesiredStateResult[] = [];
  let sending = false;
  let resendTimer: ReturnType<typeof setTimeout> | undefined;
  let resendDelay = baseResend;

  const flush = async (): Promise<void> => {
    if (sending || stopped) return;
    sending = true;
    try {
      while (outbox.length > 0 && !stopped) {
        const send = sink;
        const head = outbox[0] as DesiredStateResult;
        if (!send) return;
        let ok = false;
        try {
          ok = await send(head);
          if (!ok)
            logger.warn("desired state result not acknowledged; will send it again", { serial: head.serial });
        } catch (error) {
          logger.warn("sending the desired state result failed; will send it again", {
            serial: head.serial,
            error,
          });
        }
        if (!ok) {
          if (!resendTimer && !stopped) {
            resendTimer = setTimeout(() => {
              resendTimer = undefined;
              void flush();
            }, resendDelay);
            resendTimer.unref?.();
            resendDelay = Math.min(resendDelay * 2, MAX_RESEND_DELAY_MS);
          }
          return;
        }
        if (outbox[0] === head) outbox.shift();
        resendDelay = baseResend;
        input.onAcknowledged?.(head);
      }
    } finally {
      sending = false;
    }
  };

  const queue = (result: DesiredStateResult) => {
    outbox.push(result);
    while (outbox.length > maxQueued) {
      const dropped = outbox.shift();
      logger.error("too many unacknowledged results; dropping the oldest", { serial: dropped?.serial });
    }
  };

  const report = async (result: DesiredStateResult, always: boolean) => {
    const changed = result.results.filter((r) => reportedStatus.get(r.endpointId) !== statusOf(r));
    const errorKey = (e: { endpointId: string | null; message: string }) =>
      `${e.endpointId ?? ""}|${e.message}`;
    const errors = result.events.filter((e) => e.kind === "error").map(errorKey);
    const news = result.events.filter((e) => e.kind !== "error" || !reportedErrors.has(errorKey(e)));
    if (!always && changed.length === 0 && news.length === 0) return;
    for (const r of result.results) reportedStatus.set(r.endpointId, statusOf(r));
    // Forget what this result speaks for, then remember what it says: an error that went away and
    // comes back is reported again.
    const covered = new Set(result.results.map((r) => r.endpointId));
    for (const key of [...reportedErrors]) {
      const id = key.slice(0, key.indexOf("|"));
      if (id === "" || covered.has(id)) reportedErrors.delete(key);
    }
    for (const key of errors) reportedErrors.add(key);
    if (changed.length > 0 && input.onContainersChanged) {
      const byId = new Map(last?.parsed.state.endpoints.map((e) => [e.id, e.container.ref]) ?? []);
      const refs = changed.map((r) => byId.get(r.endpointId)).filter((ref) => ref !== undefined);
      if (refs.length > 0) input.onContainersChanged([...new Set(refs)]);
    }
    queue(result);
    const sent = flush();
    // The result is on its way: now the work that must never delay it (gratuitous ARP).
    reconciler.runDeferred?.();
    await sent;
  };

  const logApplied = (what: string, result: DesiredStateResult, started: number) => {
    const failed = result.results.filter((r) => r.status === "failed");
    const level = failed.length > 0 ? "warn" : result.events.length > 0 ? "info" : "debug";
    logger[level](what, {
      serial: result.serial,
      endpoints: result.results.length,
      failed: failed.map((f) => ({ id: f.endpointId, error: f.error })),
      events: result.events.map((e) => `${e.kind}: ${e.message}`),
      ms: Math.round(performance.now() - started),
    });
  };

  const run = async (parsed: ParsedDesiredState) => {
    const started = performance.now();
    let result: DesiredStateResult | null;
    try {
      result = await reconciler.apply(parsed.state, { keep: parsed.keep, keepNetworks: parsed.keepNetworks });
    } catch (error) {
      logger.error("applying the desired state failed", { serial: parsed.state.serial, error });
      return;
    }
    if (!result) {
      logger.debug("desired state superseded by a newer serial", { serial: parsed.state.serial });
      return;
    }
    if (parsed.failed.length > 0) {
      const events = parsed.failed.map((f) => ({
        kind: "error" as const,
        endpointId: f.endpointId,
        networkId: null,
        message: f.error ?? "invalid endpoint",
      }));
      result = {
        ...result,
        results: [...result.results, ...parsed.failed],
        events: [...result.events, ...events],
      };
    }
    applied = Math.max(applied, result.serial);
    logApplied("desired state applied", result, started);
    await report(result, true);
  };

  const verify = async (only: ReadonlySet<string> | undefined) => {
    const current = last;
    if (stopped || !current) return;
    const started = performance.now();
    let result: DesiredStateResult | null;
    try {
      result = reconciler.verify
        ? await reconciler.verify(only)
        : await reconciler.apply(current.parsed.state, {
            keep: current.parsed.keep,
            keepNetworks: current.parsed.keepNetworks,
          });
    } catch (error) {
      logger.error("verifying the host failed", { error });
      return;
    }
    if (!result) return;
    logApplied("host verified", result, started);
    await report(result, false);
  };

  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<void>): Promise<void> => {
    inFlight.add(work);
    return work.finally(() => inFlight.delete(work));
  };

  // Verifications run in the background, one at a time, never queued in front of an apply.
  let verifying: Promise<void> | null = null;
  let pendingAll = false;
  const pendingOnly = new Set<string>();
  let hintTimer: ReturnType<typeof setTimeout> | undefined;
  const startVerify = () => {
    if (verifying || stopped || (!pendingAll && pendingOnly.size === 0)) return;
    const only = pendingAll ? undefined : new Set(pendingOnly);
    pendingAll = false;
    pendingOnly.clear();
    verifying = verify(only).finally(() => {
      verifying = null;
      startVerify();
    });
  };
  const requestVerify = (only: ReadonlySet<string> | undefined, delayMs: number) => {
    if (stopped) return;
    if (only) for (const id of only) pendingOnly.add(id);
    else pendingAll = true;
    if (delayMs <= 0) return startVerify();
    if (hintTimer) return;
    hintTimer = setTimeout(() => {
      hintTimer = undefined;
      startVerify();
    }, delayMs);
    hintTimer.unref?.();
  };

  const repairs = (input.driftRepair ?? "auto") === "auto";
  const timer =
    repairs && input.reconcileIntervalMs > 0
      ? setInterval(() => requestVerify(undefined, 0), input.reconcileIntervalMs)
      : undefined;
  timer?.unref?.();

  return {
    async receive(payload, send) {
      const parsed = parseDesiredState(payload);
      if ("error" in parsed) {
        logger.error("invalid server:desired-state, ignoring it", { issue: parsed.error });
        return;
      }
      for (const problem of parsed.unanswerable)
        logger.error("desired state entry without a usable id, ignored", { problem });
      if (parsed.failed.length > 0)
        logger.warn("desired state entries the agent cannot apply", {
          serial: parsed.state.serial,
          failed: parsed.failed.map((f) => ({ id: f.endpointId, error: f.error })),
        });
      if (last && parsed.state.serial < last.parsed.state.serial) {
        logger.debug("older desired state ignored", {
          serial: parsed.state.serial,
          newest: last.parsed.state.serial,
        });
        return;
      }
      const previous = last;
      last = { parsed };
      // Before the engine plugs anything: the namespaces of new or changed endpoints are the ones the
      // next inventory must read (its host-link events cannot say which namespace a new veth went to).
      if (input.onContainersChanged) {
        const before = new Map(previous?.parsed.state.endpoints.map((e) => [e.id, JSON.stringify(e)]) ?? []);
        const refs = parsed.state.endpoints
          .filter((e) => before.get(e.id) !== JSON.stringify(e))
          .map((e) => e.container.ref);
        if (refs.length > 0) input.onContainersChanged([...new Set(refs)]);
      }
      sink ??= send;
      // The reconciler itself skips superseded serials; applies never wait behind a verification.
      await track(run(parsed));
    },
    setSink(send) {
      sink = send;
      if (send) {
        if (resendTimer) clearTimeout(resendTimer);
        resendTimer = undefined;
        resendDelay = baseResend;
        void flush();
      }
    },
    hint(endpoints) {
      if (repairs) requestVerify(endpoints, HINT_VERIFY_DEBOUNCE_MS);
    },
    repairNow() {
      if (stopped || !last) return false;
      logger.info("repair requested: verifying the whole host");
      requestVerify(undefined, 0);
      return true;
    },
    appliedSerial: () => applied,
    unacknowledged: () => outbox.length,
    settled: async () => {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    idle: async () => {
      while (inFlight.size > 0 || verifying) {
        await Promise.all([...inFlight]);
        if (verifying) await verifying;
      }
    },
    stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      if (hintTimer) clearTimeout(hintTimer);
      if (resendTimer) clearTimeout(resendTimer);
    },
  };
}
