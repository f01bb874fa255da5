/**
 * Issue 13: the list routes page. `/hosts`, `/networks`, `/pools`, `/tokens` and `/topology` take
 * `?limit=&cursor=` (stable order, an opaque cursor, `nextCursor` in the answer, at most 1,000 a page,
 * 500 without `limit`) through a real server on a real database: 7 rows at limit=3 come as 3 + 3 + 1,
 * without duplicates or gaps, in the order of the unpaged list; a row added between pages is neither
 * repeated nor skipped; a bad cursor or limit is a 422 naming the field.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { signInCookie, startTestPlanes, type TestPlanes } from "./support/test-plane";

let t: TestPlanes;
let cookie = "";
const base = () => t.planes[0]?.url ?? "";

async function http(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base()}${path}`, {
    method,
    headers: { cookie, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

interface Listed {
  rows: { id: string; name: string }[];
  nextCursor: string | null;
}

async function list(path: string, field: string, query = ""): Promise<Listed> {
  const res = await http("GET", `${path}${query}`);
  expect(res.status, `${path}${query}: ${JSON.stringify(res.body)}`).toBe(200);
  return { rows: res.body[field] as Listed["rows"], nextCursor: res.body.nextCursor as string | null };
}

/** Every page at `limit`, following `nextCursor` until it is null. */
async function allPages(path: string, field: string, limit: number): Promise<Listed["rows"][]> {
  const pages: Listed["rows"][] = [];
  let cursor: string | null = null;
  do {
    const page: Listed = await list(path, field, `?limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    pages.push(page.rows);
    cursor = page.nextCursor;
    if (pages.length > 10) throw new Error(`${path}: more pages than rows`);
  } while (cursor);
  return pages;
}

beforeAll(async () => {
  t = await startTestPlanes();
  cookie = await signInCookie(base());
  // Created out of name order, so the pages' order is the server's doing.
  for (const i of [4, 0, 6, 2, 5, 1, 3]) {
    expect((await http("POST", "/api/v1/hosts", { name: `host-${i}` })).status).toBe(201);
    const network = { name: `net-${i}`, driver: "bridge", subnet: `10.61.${i}.0/24` };
    expect((await http("POST", "/api/v1/networks", network)).status).toBe(201);
    expect((await http("POST", "/api/v1/tokens", { name: `token-${i}` })).status).toBe(201);
  }
}, 60_000);
afterAll(async () => {
  await t?.close();
});

const lists = [
  { path: "/api/v1/hosts", field: "hosts", prefix: "host-" },
  { path: "/api/v1/topology", field: "hosts", prefix: "host-" },
  { path: "/api/v1/networks", field: "networks", prefix: "net-" },
  { path: "/api/v1/pools", field: "pools", prefix: "subnet-10.61." },
  { path: "/api/v1/tokens", field: "tokens", prefix: "token-" },
] as const;

it.each(lists)(
  "$path: 7 rows at limit=3 are 3 + 3 + 1 in the unpaged order, no duplicates, no gaps",
  async ({ path, field, prefix }) => {
    const whole = await list(path, field);
    expect(whole.nextCursor).toBeNull();
    const mine = whole.rows.filter((r) => r.name.startsWith(prefix));
    expect(mine).toHaveLength(7);
    expect(whole.rows).toHaveLength(7);

    const pages = await allPages(path, field, 3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const ids = pages.flat().map((r) => r.id);
    expect(new Set(ids).size).toBe(7);
    expect(ids).toEqual(whole.rows.map((r) => r.id));
    if (path === "/api/v1/tokens") {
      // Newest first.
      expect(whole.rows.map((r) => r.name)).toEqual([3, 1, 5, 2, 6, 0, 4].map((i) => `token-${i}`));
    } else {
      expect(whole.rows.map((r) => r.name)).toEqual([...whole.rows.map((r) => r.name)].sort());
    }
    // A limit of 7 is one full page and no cursor.
    const exact = await list(path, field, "?limit=7");
    expect(exact.rows).toHaveLength(7);
    expect(exact.nextCursor).toBeNull();
  },
);

it("a host added between pages is neither repeated nor skipped", async () => {
  const first = await list("/api/v1/hosts", "hosts", "?limit=3");
  expect(first.rows.map((r) => r.name)).toEqual(["host-0", "host-1", "host-2"]);
  // One sorting before the cursor (never seen by this walk) and one after it (seen once).
  expect((await http("POST", "/api/v1/hosts", { name: "host-00" })).status).toBe(201);
  expect((await http("POST", "/api/v1/hosts", { name: "host-55" })).status).toBe(201);
  const rest: string[] = [];
  let cursor = first.nextCursor;
  while (cursor) {
    const page = await list("/api/v1/hosts", "hosts", `?limit=3&cursor=${cursor}`);
    rest.push(...page.rows.map((r) => r.name));
    cursor = page.nextCursor;
  }
  expect(rest).toEqual(["host-3", "host-4", "host-5", "host-55", "host-6"]);
});

it.each(lists)("$path: a bad cursor or limit is a 422 naming the field", async ({ path }) => {
  const cases: [string, string][] = [
    ["?cursor=not%20a%20cursor", "query.cursor"],
    ["?cursor=abc", "query.cursor"], // base64url, but not one of ours
    [`?cursor=${Buffer.from(JSON.stringify(["a", "b", "c"])).toString("base64url")}`, "query.cursor"],
    ["?limit=0", "query.limit"],
    ["?limit=1001", "query.limit"],
    ["?limit=ten", "query.limit"],
    ["?page=2", "query"],
  ];
  for (const [query, field] of cases) {
    const res = await http("GET", `${path}${query}`);
    expect(res.status, `${path}${query}`).toBe(422);
    const error = res.body.error as { code: string; field?: string };
    expect(error.code).toBe("validation_failed");
    expect(error.field, `${path}${query}`).toBe(field);
  }
  // 1,000 is allowed.
  expect((await http("GET", `${path}?limit=1000`)).status).toBe(200);
});

it("a name cursor is not a token cursor", async () => {
  const hosts = await list("/api/v1/hosts", "hosts", "?limit=1");
  const res = await http("GET", `/api/v1/tokens?cursor=${hosts.nextCursor}`);
  expect(res.status).toBe(422);
  expect((res.body.error as { field?: string }).field).toBe("query.cursor");
});
