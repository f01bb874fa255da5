export { getFleetSummary, searchFleet } from "./fleet";
export { chooseTestAddresses, type PingFrom, testTrace } from "./trace-test";
