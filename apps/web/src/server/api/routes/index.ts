import type { Route } from "../router";
import { agentRoutes } from "./agent";
import { attachmentRoutes } from "./attachments";
import { authRoutes } from "./auth";
import { eventRoutes } from "./events";
import { healthRoutes } from "./health";
import { hostRoutes } from "./hosts";
import { leakRoutes } from "./leaks";
import { metricsRoutes } from "./metrics";
import { networkRoutes } from "./networks";
import { operationRoutes } from "./operations";
import { poolRoutes } from "./pools";
import { tokenRoutes } from "./tokens";

/**
 * Every /api/v1 route. A new module exports `xxxRoutes: Route[]` (see hosts.ts for the style:
 * parse with the protocol schema, authorize, call one service, return json) and is added here.
 */
export const routes: Route[] = [
  ...healthRoutes,
  ...authRoutes,
  ...tokenRoutes,
  ...hostRoutes,
  ...agentRoutes,
  ...poolRoutes,
  ...networkRoutes,
  ...attachmentRoutes,
  ...operationRoutes,
  ...eventRoutes,
  ...leakRoutes,
  ...metricsRoutes,
];
