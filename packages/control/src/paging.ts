import { PAGE_LIMIT_DEFAULT, type PageQuery } from "@switchyard/protocol";
import { DomainError } from "./errors";

/** Every list service pages; callers that do not say how get the default page (what the edge gives). */
export const firstPage: PageQuery = { limit: PAGE_LIMIT_DEFAULT };

// A cursor is the last row's sort key as base64url JSON: opaque to clients, and a key (not an offset)
// so a row added or removed meanwhile neither repeats nor skips one.
const encodeCursor = (key: readonly string[]) => Buffer.from(JSON.stringify(key)).toString("base64url");

/** A cursor that is not one of ours: 422 naming `query.cursor`. */
export const badCursor = () =>
  new DomainError("validation_failed", "query.cursor: not a cursor from a previous page", "query.cursor");

/** The sort key in `cursor`, or a 422 naming `query.cursor` when it is not one of ours. */
export function cursorKey(cursor: string, arity: number): string[] {
  let key: unknown = null;
  try {
    key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    // handled below
  }
  if (!Array.isArray(key) || key.length !== arity || !key.every((k) => typeof k === "string" && k !== "")) {
    throw badCursor();
  }
  return key as string[];
}

/** Rows fetched with `take: limit + 1`: the page and, when there is more, the cursor after its last row. */
export function pageOf<T>(
  rows: readonly T[],
  limit: number,
  keyOf: (row: T) => readonly string[],
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null };
}

/** The filter and order of a page of rows sorted by their unique name. */
export function byNamePage(page: PageQuery) {
  const after = page.cursor === undefined ? undefined : cursorKey(page.cursor, 1)[0];
  return {
    where: after === undefined ? {} : { name: { gt: after } },
    orderBy: { name: "asc" as const },
    take: page.limit + 1,
  };
}

export const nameKey = (row: { name: string }) => [row.name];
