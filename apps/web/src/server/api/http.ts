import { DomainError } from "@switchyard/control";
import type { ErrorCode } from "@switchyard/protocol";
import type { z } from "zod";

/** The one place error codes become HTTP statuses. */
const statusOfCode: Record<ErrorCode, number> = {
  bad_request: 400,
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  pool_exhausted: 409,
  protocol_mismatch: 426,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function json(body: unknown, status = 200, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  h.set("content-type", "application/json; charset=utf-8");
  h.set("cache-control", "no-store");
  return new Response(JSON.stringify(body), { status, headers: h });
}

export function errorBody(
  code: ErrorCode,
  message: string,
  field?: string,
  details?: Record<string, unknown>,
): { error: { code: ErrorCode; message: string; field?: string; details?: Record<string, unknown> } } {
  return {
    error: {
      code,
      message,
      ...(field === undefined ? {} : { field }),
      ...(details === undefined ? {} : { details }),
    },
  };
}

export function errorResponse(err: DomainError, headers: HeadersInit = {}): Response {
  const h = new Headers(headers);
  const retryAfter = err.details?.retryAfterSeconds;
  if (typeof retryAfter === "number") h.set("retry-after", String(retryAfter));
  return json(errorBody(err.code, err.message, err.field, err.details), statusOfCode[err.code], h);
}

/** The dotted path of a zod issue ("body" when the whole value is wrong). */
function issuePath(path: ReadonlyArray<PropertyKey>, prefix?: string): string {
  const parts = [...(prefix ? [prefix] : []), ...path.map(String)];
  return parts.length > 0 ? parts.join(".") : "body";
}

/** Parses with a protocol schema; the first failing field becomes a 422 naming it. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issuePath(issue?.path ?? [], prefix);
  throw new DomainError("validation_failed", `${field}: ${issue?.message ?? "invalid"}`, field, {
    issues: result.error.issues.map((i) => ({ field: issuePath(i.path, prefix), message: i.message })),
  });
}

/** The JSON body; an empty body counts as `{}` so missing fields are reported by name. */
export async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new DomainError("bad_request", `request body is not valid JSON: ${(err as Error).message}`);
  }
}
