export {
  type BuildAttachment,
  type BuildHost,
  type BuildNetwork,
  type BuildOverride,
  type BuildProblem,
  buildDesiredState,
  type DesiredStatePlan,
  effectiveSettings,
  hostUnderlay,
  networkProblem,
  planDesiredState,
} from "./build";
export { listReconcileEvents } from "./events";
export { loadDesiredState } from "./load";
export {
  applyDesiredStateResult,
  type LedgerChanges,
  markOperationsSent,
  type ResultOutcome,
  recordBuildProblems,
} from "./results";
export { underlayAddress } from "./underlay";
