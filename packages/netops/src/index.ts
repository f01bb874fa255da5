export * from "./docker";
export * from "./exec";
export * from "./inventory";
export * as testkit from "./testkit";
