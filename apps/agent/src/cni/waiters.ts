import type { DesiredStateResult, EndpointResult } from "@switchyard/protocol";

/** Latest results kept for endpoints (a CNI ADD may ask after the result came: the push can beat the ack). */
const MAX_KEPT = 10_000;

/**
 * What the CNI handler waits on: every result the server acknowledged (applies and verifications), the
 * newest per endpoint, and the newest serial applied and recorded.
 */
export class EndpointWaiters {
  private readonly latest = new Map<string, EndpointResult>();
  private readonly waiting = new Map<string, Set<(r: EndpointResult) => void>>();
  private readonly serialWaiters = new Set<{ serial: number; resolve: (ok: boolean) => void }>();
  private serial = -1;

  observe(result: DesiredStateResult): void {
    this.serial = Math.max(this.serial, result.serial);
    for (const r of result.results) {
      this.latest.delete(r.endpointId);
      this.latest.set(r.endpointId, r);
      for (const resolve of this.waiting.get(r.endpointId) ?? []) resolve(r);
      this.waiting.delete(r.endpointId);
    }
    while (this.latest.size > MAX_KEPT) {
      const oldest = this.latest.keys().next().value;
      if (oldest === undefined) break;
      this.latest.delete(oldest);
    }
    for (const w of [...this.serialWaiters]) {
      if (this.serial >= w.serial) {
        this.serialWaiters.delete(w);
        w.resolve(true);
      }
    }
  }

  result(endpointId: string): EndpointResult | null {
    return this.latest.get(endpointId) ?? null;
  }

  waitEndpoint(endpointId: string, timeoutMs: number): Promise<EndpointResult | null> {
    const known = this.latest.get(endpointId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const set = this.waiting.get(endpointId) ?? new Set();
      const done = (r: EndpointResult | null) => {
        clearTimeout(timer);
        set.delete(done);
        resolve(r);
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      set.add(done);
      this.waiting.set(endpointId, set);
    });
  }

  waitSerial(serial: number, timeoutMs: number): Promise<boolean> {
    if (this.serial >= serial) return Promise.resolve(true);
    return new Promise((resolve) => {
      const entry = {
        serial,
        resolve: (ok: boolean) => {
          clearTimeout(timer);
          resolve(ok);
        },
      };
      const timer = setTimeout(() => {
        this.serialWaiters.delete(entry);
        resolve(false);
      }, timeoutMs);
      this.serialWaiters.add(entry);
    });
  }
}
