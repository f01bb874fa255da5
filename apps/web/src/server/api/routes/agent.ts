import { enrollHost, getHostSummary } from "@switchyard/control";
import { enrollBodySchema } from "@switchyard/protocol";
import { json, parseBody } from "../http";
import { type Route, route } from "../router";

export const agentRoutes: Route[] = [
  /** No user auth: the one-time enrollment token is the credential. Returns EnrollResponse. */
  route("POST", "/api/v1/agent/enroll", async (ctx) => {
    const body = await parseBody(ctx.request, enrollBodySchema);
    const enrolled = await enrollHost(ctx.services, body);
    ctx.deps.hub.hostChanged(await getHostSummary(ctx.services, enrolled.hostId));
    return json(enrolled, 201);
  }),
];
