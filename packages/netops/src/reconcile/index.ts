export * from "./reconcile";
export * from "./remove-stale";
export * from "./store";
