import {
  type AnyApiRoute,
  buildRequest,
  type CallArgs,
  type CallInput,
  type RouteResponse,
  readResponse,
} from "@switchyard/protocol";
import { ApiRequestError } from "./api-request-error";

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Calls one route of the contract table (protocol's apiRoutes) with the browser's session cookie and
 * parses the answer with the route's schema; throws ApiRequestError otherwise.
 */
export async function callApi<R extends AnyApiRoute>(
  route: R,
  ...[input]: CallArgs<R>
): Promise<RouteResponse<R>> {
  const request = buildRequest(route, (input ?? {}) as CallInput<R>);
  let response: Response;
  try {
    response = await fetch(request.path, {
      method: request.method,
      headers: request.body !== undefined ? { "content-type": "application/json" } : {},
      body: request.body !== undefined ? JSON.stringify(request.body) : undefined,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiRequestError(0, "network", "Cannot reach the control plane");
  }
  const out = readResponse(route, response.status, await readJson(response));
  if (!out.ok) throw new ApiRequestError(response.status, out.code, out.message, out.field);
  return out.value;
}
