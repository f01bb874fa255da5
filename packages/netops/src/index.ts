export * from "./exec";
export * from "./docker";
