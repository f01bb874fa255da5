export * from "./client";
export * from "./framing";
export * from "./monitor";
export * from "./vswitch";
