export * from "./define";
export * from "./openapi";
export * from "./request";
export * from "./routes";
export * from "./tags";
