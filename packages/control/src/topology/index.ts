export { getFleetSummary, searchFleet } from "./fleet";
export { getHostDrift, requestHostRepair } from "./host-drift";
export { chooseTestAddresses, type PingFrom, testTrace } from "./trace-test";
