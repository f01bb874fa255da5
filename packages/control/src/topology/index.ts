export { getFleetSummary, searchFleet } from "./fleet";
