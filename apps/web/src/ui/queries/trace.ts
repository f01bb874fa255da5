import { apiRoutes, type TraceTestBody } from "@switchyard/protocol";
import { callApi } from "../api/fetch-json";

/** The trace's "Test": both containers' agents ping the other (a mutation: it makes hosts send traffic). */
export const testTrace = (body: Pick<TraceTestBody, "from" | "to">) => callApi(apiRoutes.testTrace, { body });
