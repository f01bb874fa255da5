export * from "./docker";
export * from "./docker-cache";
export * from "./drivers";
export * from "./exec";
export * from "./inventory";
export * from "./ovsdb";
export * from "./reconcile";
export * from "./runtime";
export * as testkit from "./testkit";
