import type { DesiredStateInput, DesiredStateResult } from "@switchyard/protocol";
import { type ReconcileDeps, reconcile } from "./reconcile";
import { type EndpointStore, MemoryEndpointStore } from "./store";

/**
 * One per host (what an agent holds): runs reconciles one at a time, never two at once on the host, and
 * skips a state that a newer serial superseded while it waited (resolves null for it). Keeps the store.
 */
export class Reconciler {
  readonly store: EndpointStore;
  private chain: Promise<unknown> = Promise.resolve();
  private newestSerial = -1;

  constructor(private readonly deps: Omit<ReconcileDeps, "store"> & { store?: EndpointStore }) {
    this.store = deps.store ?? new MemoryEndpointStore();
  }

  apply(state: DesiredStateInput): Promise<DesiredStateResult | null> {
    this.newestSerial = Math.max(this.newestSerial, state.serial);
    const run = this.chain.then(() =>
      state.serial < this.newestSerial ? null : reconcile(state, { ...this.deps, store: this.store }),
    );
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Resolves when every queued reconcile has finished. */
  idle(): Promise<void> {
    return this.chain.then(() => undefined);
  }
}
