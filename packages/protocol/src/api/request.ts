import type { z } from "zod";
import { apiErrorSchema, type ErrorCode } from "../errors";
import type { AnyApiRoute, CallInput, HttpMethod, RouteResponse } from "./define";

/** What a client sends for one call of a route: no I/O here, each client has its own transport. */
export interface BuiltRequest {
  readonly method: HttpMethod;
  /** Path and query string, e.g. `/api/v1/hosts/web-1` or `/api/v1/leaks?state=all`. */
  readonly path: string;
  /** JSON body, when the route takes one. */
  readonly body?: unknown;
}

/** The route's path with its parameters filled in (each encoded) and the query string appended. */
export function buildRequest<R extends AnyApiRoute>(route: R, input: CallInput<R>): BuiltRequest {
  const { params, query, body } = input as {
    params?: Record<string, string>;
    query?: Record<string, unknown>;
    body?: unknown;
  };
  const path = route.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params?.[name];
    if (value === undefined) throw new Error(`${route.id}: parameter ${name} is missing`);
    return encodeURIComponent(value);
  });
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null) search.set(key, String(value));
  }
  const qs = search.toString();
  return {
    method: route.method,
    path: qs ? `${path}?${qs}` : path,
    ...(route.body !== undefined ? { body: body ?? {} } : {}),
  };
}

/** A call's outcome once the status and JSON are in. */
export type ReadResponse<R extends AnyApiRoute> =
  | { readonly ok: true; readonly value: RouteResponse<R> }
  | {
      readonly ok: false;
      /** The server's error code; "bad_response" when a success does not match the contract. */
      readonly code: ErrorCode | "bad_response";
      readonly message: string;
      readonly field?: string;
    };

/** Parses a JSON answer with the route's declared schemas (success, or the common error body). */
export function readResponse<R extends AnyApiRoute>(
  route: R,
  status: number,
  json: unknown,
): ReadResponse<R> {
  const success = status === route.status || (route.alsoStatuses ?? []).includes(status);
  if (!success) {
    const error = apiErrorSchema.safeParse(json);
    if (error.success) {
      const { code, message, field } = error.data.error;
      return { ok: false, code, message, ...(field === undefined ? {} : { field }) };
    }
    return { ok: false, code: codeOfStatus(status), message: `the server answered HTTP ${status}` };
  }
  if (route.response === null) return { ok: true, value: json as RouteResponse<R> };
  const parsed = (route.response as z.ZodType).safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data as RouteResponse<R> };
  const issue = parsed.error.issues[0];
  const where = issue ? ` at ${issue.path.join(".") || "(root)"}: ${issue.message}` : "";
  return { ok: false, code: "bad_response", message: `unexpected answer from ${route.path}${where}` };
}

const codeByStatus: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  422: "validation_failed",
  426: "protocol_mismatch",
  429: "rate_limited",
};

const codeOfStatus = (status: number): ErrorCode => codeByStatus[status] ?? "internal";
