/** Leak settings, parsed once by the control plane (LEAK_GRACE, HOST_OFFLINE_GRACE, LEAK_WEBHOOK_URL). */
export interface LeakSettings {
  /** A finding is raised (alerted on) only after it persisted this long. */
  graceMs: number;
  /** A host is reported offline only after it was last seen this long ago. */
  hostOfflineGraceMs: number;
  /** Each raised finding is POSTed here (outbox, retried until 2xx); null: no webhook. */
  webhookUrl: string | null;
}

export const defaultLeakSettings: LeakSettings = {
  graceMs: 60_000,
  hostOfflineGraceMs: 300_000,
  webhookUrl: null,
};
