export * from "./reconcile";
export * from "./reconciler";
export * from "./remove-networks";
export * from "./remove-stale";
export * from "./store";
