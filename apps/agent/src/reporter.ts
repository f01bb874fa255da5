import { digestInventory } from "@switchyard/netops";
import type { Heartbeat, Inventory } from "@switchyard/protocol";
import type { Logger } from "./logger";

export interface ReporterInput {
  /** Reads the host's inventory now. */
  collect: () => Promise<Inventory>;
  /** Sends an inventory; resolves true when the server acknowledged it. */
  sendInventory: (inventory: Inventory) => Promise<boolean>;
  /** Sends a heartbeat; resolves true when the server acknowledged it. */
  sendHeartbeat: (heartbeat: Heartbeat) => Promise<boolean>;
  pollIntervalMs: number;
  heartbeatIntervalMs: number;
  /** Serial of the desired state the agent has applied (0 until desired state exists). */
  appliedSerial: () => number;
  logger: Logger;
  now?: () => Date;
}

export interface Reporter {
  /** Stops every timer; an in-flight collection finishes but sends nothing. */
  stop(): void;
  /** Resolves once the first (full) inventory was sent or failed. */
  readonly firstReport: Promise<void>;
}

/**
 * The report loop of one connection: a full inventory at once, then one per poll interval only when its
 * digest changed (or the last send failed), plus a heartbeat every heartbeat interval.
 */
export function startReporter(input: ReporterInput): Reporter {
  const now = input.now ?? (() => new Date());
  let stopped = false;
  let lastSentDigest: string | null = null;
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
    let ok = false;
    try {
      ok = await input.sendInventory(inventory);
    } catch (error) {
      input.logger.warn("sending the inventory failed", { error });
    }
    if (ok) {
      lastSentDigest = digest;
      input.logger.debug(force ? "full inventory sent" : "inventory changed, sent", { digest });
    } else {
      lastSentDigest = null;
    }
  };

  const schedulePoll = () => {
    if (stopped) return;
    pollTimer = setTimeout(async () => {
      await report(false);
      schedulePoll();
    }, input.pollIntervalMs);
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

  const firstReport = report(true).then(schedulePoll);

  return {
    firstReport,
    stop() {
      stopped = true;
      if (pollTimer) clearTimeout(pollTimer);
      clearInterval(heartbeatTimer);
    },
  };
}
