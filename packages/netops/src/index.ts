export * from "./docker";
export * from "./exec";
export * from "./inventory";
export * as testkit from "./testkit";
export * from "./drivers";
export * from "./reconcile";
export * from "./runtime";
