/** Small helpers to read untrusted JSON (command output) without `any`. */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function str(obj: JsonObject, key: string): string | null {
  const v = obj[key];
  return typeof v === "string" ? v : null;
}

export function int(obj: JsonObject, key: string): number | null {
  const v = obj[key];
  return typeof v === "number" && Number.isInteger(v) ? v : null;
}

/** Parses command output that must be a JSON array; empty output (some `ip` versions print nothing) is []. */
export function parseJsonArray(text: string, what: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed === "") return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch (error) {
    throw new Error(`${what}: output is not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${what}: expected a JSON array`);
  return parsed;
}
