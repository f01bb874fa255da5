export * from "./container-side";
export * from "./endpoint";
export * from "./host";
export * from "./links";
export * from "./names";
export * from "./network";
export * from "./network-ovs";
export * from "./types";
