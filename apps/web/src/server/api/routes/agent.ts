import { enrollHost, getHostSummary } from "@switchyard/control";
import { apiRoutes } from "@switchyard/protocol";
import { implement } from "../implement";
import type { Route } from "../router";

export const agentRoutes: Route[] = [
  // No user auth: the one-time enrollment token in the body is the credential.
  implement(apiRoutes.enroll, async (ctx, { body }) => {
    const enrolled = await enrollHost(ctx.services, body);
    ctx.deps.hub.hostChanged(await getHostSummary(ctx.services, enrolled.hostId));
    return enrolled;
  }),
];
