import type { ErrorCode } from "@switchyard/protocol";

/**
 * The one error type services throw for expected failures. The HTTP edge maps `code` to a status
 * (see apps/web) and sends `{ error: { code, message, field, details } }`.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "DomainError";
  }
}

export const notFound = (what: string, field?: string) =>
  new DomainError("not_found", `${what} not found`, field);
export const conflict = (message: string, field?: string, details?: Record<string, unknown>) =>
  new DomainError("conflict", message, field, details);
export const invalid = (message: string, field: string) =>
  new DomainError("validation_failed", message, field);

/** The first issue of a failed zod parse as a 422 naming its field (services that parse their own input). */
export function validationError(error: { issues: { path: PropertyKey[]; message: string }[] }): DomainError {
  const issue = error.issues[0];
  const field = issue?.path.map(String).join(".") || "body";
  return new DomainError("validation_failed", `${field}: ${issue?.message ?? "invalid"}`, field);
}
