export { allocateAddress, allocateInOpenTransaction } from "./allocate";
export { allocationState, toAllocationDto } from "./allocation-dto";
export { renderIpamMetrics } from "./metrics";
export { findPool, planOf, toPoolDto } from "./pool-record";
export { createPool } from "./pools";
export { type AllocationQuery, getPool, listAllocations, listPools } from "./queries";
export { type ReleaseInput, releaseAddress, releaseAllocation } from "./release";
export { isRetryable, isTransactionConflict, sqlStateOf, withRetry } from "./retry";
export { returnEmptyBlocks } from "./sweep";
