export { getLeak, LEAK_CHECK_JOB, type LeakCheckOutcome, leakCounts, listLeaks, runLeakCheck } from "./check";
export { markConverging } from "./converge";
export { findingDtos } from "./dto";
export {
  findLeaks,
  type LeakCheckAllocation,
  type LeakCheckAttachment,
  type LeakCheckHost,
  type LeakCheckInput,
  type LeakCheckPool,
  type LeakCheckSettings,
  type RawFinding,
} from "./find";
export { addressHistory } from "./history";
export { loadCheckInput } from "./load";
export { LEAK_LOCK_KEY } from "./lock";
export { renderLeakMetrics } from "./metrics";
export { type ProbeHost, probeLeak } from "./probe";
export { type LeakReleaseChange, releaseLeak, releaseLeaks, undoLeakRelease } from "./release";
export { defaultLeakSettings, type LeakSettings } from "./settings";
export { deliverWebhooks, type WebhookOptions, type WebhookRunResult, webhookBackoff } from "./webhook";
