import { digestInventory } from "@switchyard/netops";
import type { AgentAckError, Heartbeat, Inventory } from "@switchyard/protocol";
import type { Logger } from "./logger";

export interface ReporterInput {
  /** Reads the host's inventory now. */
  collect: () => Promise<Inventory>;
  /** Sends an inventory; resolves true when the server acknowledged it, its error when it refused it. */
  sendInventory: (inventory: Inventory) => Promise<boolean | AgentAckError>;
  /** Sends a heartbeat; resolves true when the server acknowledged it. */
  sendHeartbeat: (heartbeat: Heartbeat) => Promise<boolean>;
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  /** Serial of the desired state the agent has applied (0 until desired state exists). */
  appliedSerial: () => number;
  logger: Logger;
  now?: () => Date;
  /**
   * Resolves when no apply is running (bounded by the caller): a look after a hint waits for it, so
   * reading the host never competes with a user's request for the CPU.
   */
  settled?: () => Promise<void>;
}

export interface Reporter {
  /** Something on the host changed (a link or address event): look again soon, not at the next poll. */
  hint(): void;
  /** Stops every timer; an in-flight collection finishes but sends nothing. */
  stop(): void;
  /** Resolves once the first (full) inventory was sent or failed. */
  readonly firstReport: Promise<void>;
}

/** Events come in bursts (a veth pair is several link and address events): one look after them. */
export const HINT_DEBOUNCE_MS = 150;

/**
 * The report loop of one connection: a full inventory at once, then one per poll interval (or soon
 * after a hint) only when its digest changed (or the last send failed), plus a heartbeat every
 * heartbeat interval. Never two collections at once.
 */
export function startReporter(input: ReporterInput): Reporter {
  const now = input.now ?? (() => new Date());
  let stopped = false;
  let lastSentDigest: string | null = null;
  let refusedDigest: string | null = null;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;

  const report = async (force: boolean) => {
    let inventory: Inventory;
    try {
      inventory = await input.collect();
    } catch (error) {
      input.logger.warn("reading the inventory failed", { error });
      return;
    }
    if (stopped) return;
    const digest = digestInventory(inventory);
    if (!force && digest === lastSentDigest) return;
    let outcome: boolean | AgentAckError = false;
    try {
      outcome = await input.sendInventory(inventory);
    } catch (error) {
      input.logger.warn("sending the inventory failed", { error });
    }
    if (outcome === true) {
      lastSentDigest = digest;
      refusedDigest = null;
      input.logger.debug(force ? "full inventory sent" : "inventory changed, sent", { digest });
    } else {
      lastSentDigest = null;
      // Refused as invalid: the host's view is missing from the control plane until this is fixed.
      // Said once per inventory; it is still offered again at every poll.
      if (typeof outcome === "object" && digest !== refusedDigest) {
        refusedDigest = digest;
        input.logger.error("the control plane refused this host's inventory", {
          code: outcome.code,
          field: outcome.field,
          reason: outcome.message,
          digest,
        });
      }
    }
  };

  let running = true; // the first, full report starts at once
  let hinted = false;
  const arm = (ms: number) => {
    if (stopped) return;
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, ms);
  };
  const afterReport = () => {
    running = false;
    if (hinted) {
      hinted = false;
      arm(HINT_DEBOUNCE_MS);
    } else {
      arm(input.pollIntervalMs);
    }
  };
  const poll = async () => {
    pollTimer = undefined;
    running = true;
    await input.settled?.().catch(() => undefined);
    await report(false);
    afterReport();
  };

  const heartbeatTimer = setInterval(() => {
    if (stopped) return;
    input
      .sendHeartbeat({ sentAt: now().toISOString(), appliedSerial: input.appliedSerial() })
      .then((ok) => {
        if (!ok) input.logger.warn("heartbeat not acknowledged");
      })
      .catch((error: unknown) => input.logger.warn("sending a heartbeat failed", { error }));
  }, input.heartbeatIntervalMs);

  const firstReport = report(true).then(afterReport);

  return {
    firstReport,
    hint() {
      if (stopped) return;
      if (running) hinted = true;
      else arm(HINT_DEBOUNCE_MS);
    },
    stop() {
      stopped = true;
      if (pollTimer) clearTimeout(pollTimer);
      clearInterval(heartbeatTimer);
    },
  };
}
