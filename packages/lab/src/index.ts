export * from "./agent";
export * from "./containers";
export * from "./down";
export * from "./enroll";
export * from "./lab";
export * from "./names";
export * from "./state";
export * from "./up";
