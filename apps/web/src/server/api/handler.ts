import { DomainError } from "@switchyard/control";
import { isDatabaseUnavailable } from "@switchyard/db";
import { type ApiDeps, createRequestContext } from "./context";
import { errorBody, errorResponse, json } from "./http";
import { type Route, Router } from "./router";
import { routes as defaultRoutes } from "./routes";

/** `clientAddress`: the socket's peer address (sign-in throttling counts failures per address). */
export type ApiHandler = (request: Request, clientAddress?: string | null) => Promise<Response>;

/** The /api/v1 handler over WHATWG Request/Response: usable from node:http, Next, or a test directly. */
export function createApiHandler(deps: ApiDeps, routes: readonly Route[] = defaultRoutes): ApiHandler {
  const router = new Router(routes);
  return async (request, clientAddress = null) => {
    const started = performance.now();
    const url = new URL(request.url);
    let response: Response;
    try {
      const match = router.match(request.method, url.pathname);
      if (match.kind === "found") {
        response = await match.route.handler(
          createRequestContext(request, url, match.params, deps, clientAddress),
        );
      } else if (match.kind === "method_not_allowed") {
        response = json(
          errorBody("bad_request", `method ${request.method} is not allowed on ${url.pathname}`, undefined, {
            allowed: match.allowed,
          }),
          405,
          { allow: match.allowed.join(", ") },
        );
      } else {
        response = json(errorBody("not_found", `no API route ${request.method} ${url.pathname}`), 404);
      }
    } catch (err) {
      if (err instanceof DomainError) {
        response = errorResponse(err);
      } else if (isDatabaseUnavailable(err)) {
        // PostgreSQL is restarting or unreachable: a 503 clients retry; the pool reconnects by itself.
        deps.logger.warn({ method: request.method, path: url.pathname }, "database unavailable");
        response = json(errorBody("unavailable", "the database is unavailable; retry shortly"), 503, {
          "retry-after": "5",
        });
      } else {
        deps.logger.error({ err, method: request.method, path: url.pathname }, "request failed");
        response = json(errorBody("internal", "internal server error"), 500);
      }
    }
    deps.logger.debug(
      {
        method: request.method,
        path: url.pathname,
        status: response.status,
        ms: Math.round(performance.now() - started),
      },
      "api request",
    );
    return response;
  };
}
