export * from "./agent";
export * from "./containers";
export * from "./down";
export * from "./lab";
export * from "./names";
export * from "./state";
export * from "./up";
