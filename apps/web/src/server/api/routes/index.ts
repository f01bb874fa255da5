import type { Route } from "../router";
import { accountRoutes } from "./account";
import { agentRoutes } from "./agent";
import { attachmentRoutes } from "./attachments";
import { auditRoutes } from "./audit";
import { authRoutes } from "./auth";
import { hostRoutes } from "./hosts";
import { leakRoutes } from "./leaks";
import { networkRoutes } from "./networks";
import { operationRoutes } from "./operations";
import { poolRoutes } from "./pools";
import { systemRoutes } from "./system";
import { tokenRoutes } from "./tokens";
import { topologyRoutes } from "./topology";
import { userRoutes } from "./users";

/**
 * Every /api/v1 route: one `implement(apiRoutes.x, handler)` per entry of the protocol's contract
 * table (packages/protocol/src/api/routes.ts). A new endpoint is an entry there and a handler here
 * (parse and authorize come from the entry; the handler calls one service).
 */
export const routes: Route[] = [
  ...systemRoutes,
  ...authRoutes,
  ...accountRoutes,
  ...tokenRoutes,
  ...userRoutes,
  ...auditRoutes,
  ...hostRoutes,
  ...topologyRoutes,
  ...agentRoutes,
  ...poolRoutes,
  ...networkRoutes,
  ...attachmentRoutes,
  ...operationRoutes,
  ...leakRoutes,
];
