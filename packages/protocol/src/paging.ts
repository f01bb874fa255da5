import { z } from "zod";

/** The most rows one page of a list route holds. */
export const PAGE_LIMIT_MAX = 1000;
/** Without `limit` a page holds this many: a small fleet still gets everything in one answer, as before paging. */
export const PAGE_LIMIT_DEFAULT = 500;

/**
 * `?limit=&cursor=` of the list routes (hosts, networks, pools, tokens, topology). Pages follow a
 * stable order (by name, or newest first for tokens); `cursor` is the previous page's `nextCursor`,
 * opaque to clients.
 */
export const pageQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(PAGE_LIMIT_MAX).default(PAGE_LIMIT_DEFAULT),
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,400}$/, "not a cursor from a previous page")
      .optional(),
  })
  .strict();
export type PageQuery = z.infer<typeof pageQuerySchema>;

/**
 * Pass as `cursor` for the next page; null on the last page. Older servers send none, hence the
 * default (one page, everything).
 */
export const nextCursorSchema = z.string().nullable().default(null);

/**
 * Every row of a paged list, fetched page after page of PAGE_LIMIT_MAX: what a client that shows the
 * whole list (`yardctl hosts ls`, the UI's tables) does instead of one unbounded request.
 */
export async function everyPage<P extends { nextCursor: string | null }, T>(
  fetchPage: (query: { limit: number; cursor?: string }) => Promise<P>,
  rowsOf: (page: P) => readonly T[],
): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await fetchPage({ limit: PAGE_LIMIT_MAX, ...(cursor === undefined ? {} : { cursor }) });
    rows.push(...rowsOf(page));
    if (page.nextCursor === null) return rows;
    // A server that answers the same cursor again would keep us here forever.
    if (page.nextCursor === cursor) throw new Error("the server answered the same page cursor twice");
    cursor = page.nextCursor;
  }
}
