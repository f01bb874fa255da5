import { apiErrorSchema, type ErrorCode } from "@switchyard/protocol";
import type { z } from "zod";
import { ApiRequestError } from "./api-request-error";

interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
}

const codeByStatus: Record<number, ErrorCode> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  422: "validation_failed",
  426: "protocol_mismatch",
};

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toRequestError(status: number, body: unknown): ApiRequestError {
  const parsed = apiErrorSchema.safeParse(body);
  if (parsed.success) {
    const { code, message, field } = parsed.data.error;
    return new ApiRequestError(status, code, message, field);
  }
  return new ApiRequestError(
    status,
    codeByStatus[status] ?? "internal",
    `The server answered HTTP ${status}`,
  );
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const hasBody = options.body !== undefined;
  try {
    return await fetch(path, {
      method: options.method ?? "GET",
      headers: hasBody ? { "content-type": "application/json" } : {},
      body: hasBody ? JSON.stringify(options.body) : undefined,
      credentials: "same-origin",
      cache: "no-store",
    });
  } catch {
    throw new ApiRequestError(0, "network", "Cannot reach the control plane");
  }
}

/** Calls the REST API and parses the answer with a protocol schema; throws ApiRequestError otherwise. */
export async function fetchJson<Schema extends z.ZodType>(
  path: string,
  schema: Schema,
  options: RequestOptions = {},
): Promise<z.output<Schema>> {
  const response = await send(path, options);
  const body = await readJson(response);
  if (!response.ok) throw toRequestError(response.status, body);
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? ` at ${issue.path.join(".") || "(root)"}: ${issue.message}` : "";
    throw new ApiRequestError(response.status, "bad_response", `Unexpected response from ${path}${where}`);
  }
  return parsed.data;
}

/** Like fetchJson, for calls whose answer body does not matter. */
export async function sendCommand(path: string, options: RequestOptions = {}): Promise<void> {
  const response = await send(path, { method: "POST", ...options });
  if (!response.ok) throw toRequestError(response.status, await readJson(response));
}
