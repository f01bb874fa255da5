export * from "./resolve";
export * from "./target";
