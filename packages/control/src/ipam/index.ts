export { allocateAddress, allocateInOpenTransaction } from "./allocate";
export { allocationState, toAllocationDto } from "./allocation-dto";
export {
  checkPoolExhaustion,
  type ExhaustionCheckOutcome,
  type ExhaustionSettings,
  POOL_EXHAUSTION_JOB,
} from "./exhaustion-check";
export { renderIpamMetrics } from "./metrics";
export { type OutlookSettings, poolForecast } from "./outlook";
export { findPool, planOf, toPoolDto } from "./pool-record";
export { createPool } from "./pools";
export { type AllocationQuery, getPool, listAllocations, listPools } from "./queries";
export { type ReleaseInput, releaseAddress, releaseAllocation } from "./release";
export { isRetryable, isTransactionConflict, sqlStateOf, withRetry } from "./retry";
export { returnEmptyBlocks } from "./sweep";
