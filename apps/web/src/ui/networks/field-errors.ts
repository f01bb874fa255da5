import type { z } from "zod";
import { ApiRequestError, errorMessage } from "../api/api-request-error";

/** Messages by field name ("" for the form as a whole), shown next to the named field. */
export type FieldErrors = Record<string, string>;

/** The top-level field of an issue path or of the server's `field` ("hostOverrides.h1.uplink" -> "hostOverrides"). */
function topField(path: string): string {
  return path.split(".")[0] ?? "";
}

/** The server names the failing field and prefixes its message with it ("vlan: ..."): strip that. */
function withoutFieldPrefix(message: string, field: string): string {
  return message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
}

/** A failed request as field errors: the server's `field` when it names one, the form otherwise. */
export function fieldErrorsOf(error: unknown): FieldErrors {
  if (!error) return {};
  if (error instanceof ApiRequestError && error.field) {
    const top = topField(error.field);
    const message = withoutFieldPrefix(error.message, error.field);
    // A nested field keeps the rest of its path: "h1.uplink: ..." next to the overrides.
    return { [top]: top === error.field ? message : `${error.field.slice(top.length + 1)}: ${message}` };
  }
  return { "": errorMessage(error) };
}

/** Every issue of a client-side parse, the first message per top-level field. */
function fieldErrorsOfIssues(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    const field = topField(issue.path.map(String).join("."));
    if (!(field in errors)) errors[field] = issue.message;
  }
  return errors;
}

/**
 * Runs a protocol schema in the browser before sending, so that every field's problem shows at once.
 * A schema that cannot run here (a Node-only helper) defers to the server's answer.
 */
export function validateWith(schema: z.ZodType, body: unknown): FieldErrors {
  try {
    const result = schema.safeParse(body);
    return result.success ? {} : fieldErrorsOfIssues(result.error.issues);
  } catch {
    return {};
  }
}

/** Errors of fields the form does not show move to the form-level message ("field: message"). */
export function placeErrors(errors: FieldErrors, shownFields: readonly string[]): FieldErrors {
  const placed: FieldErrors = {};
  const unplaced: string[] = [];
  for (const [field, message] of Object.entries(errors)) {
    if (field === "") unplaced.unshift(message);
    else if (shownFields.includes(field)) placed[field] = message;
    else unplaced.push(`${field}: ${message}`);
  }
  if (unplaced.length > 0) placed[""] = unplaced.join("; ");
  return placed;
}
