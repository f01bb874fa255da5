import type { ErrorCode } from "@switchyard/protocol";

/** Codes the server sends, plus the two failures that happen before a server answer can be read. */
export type ApiRequestErrorCode = ErrorCode | "network" | "bad_response";

/** What every failed /api/v1 call throws: the server's code, message and failing field, and the HTTP status. */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly code: ApiRequestErrorCode;
  readonly field: string | undefined;

  constructor(status: number, code: ApiRequestErrorCode, message: string, field?: string) {
    super(message);
    this.name = "ApiRequestError";
    this.status = status;
    this.code = code;
    this.field = field;
  }
}

export function isUnauthorized(error: unknown): boolean {
  return error instanceof ApiRequestError && error.status === 401;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return "Something went wrong";
}
