// Issue 13 point 7: a body over the limit is a 413 that closes the connection (its unread rest must not
// be parsed as the next request), and /health tells anonymous callers no database error text.
import { request as httpRequest } from "node:http";
import { gunzipSync } from "node:zlib";
import { io as connect } from "socket.io-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApiHandler } from "../src/server/api/handler";
import { noopHub } from "../src/server/broadcast";
import { createLogger } from "../src/server/logger";
import { createAdminToken } from "./support/api";
import {
  TEST_ADMIN_PASSWORD as PASSWORD,
  signInCookie,
  startTestPlanes,
  TEST_ADMIN_EMAIL,
  type TestPlanes,
} from "./support/test-plane";

let env: TestPlanes;
let plane: TestPlanes["planes"][number];
let db: TestPlanes["db"];

beforeAll(async () => {
  env = await startTestPlanes();
  ({ db } = env);
  plane = env.planes[0] as typeof plane;
});
afterAll(async () => {
  await env?.close();
});

it("answers a body over the limit with 413 and Connection: close, and keeps serving", async () => {
  const url = new URL(`${plane.url}/api/v1/networks`);
  const body = Buffer.alloc(3_000_000, "x");
  const reply = await new Promise<{ status: number; connection: string | undefined; text: string }>(
    (resolve, reject) => {
      const req = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": body.length,
            connection: "keep-alive",
          },
        },
        (res) => {
          let text = "";
          res.on("data", (d: Buffer) => {
            text += d.toString();
          });
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, text }),
          );
        },
      );
      req.on("error", reject);
      req.end(body);
    },
  );
  expect(reply.status).toBe(413);
  expect(reply.connection).toBe("close");
  expect(reply.text).toMatch(/larger than/);
  expect((await fetch(`${plane.url}/api/v1/health`)).status).toBe(200);
});

it("/health hides the database's error text from anonymous callers, not from a signed-in one", async () => {
  const token = await createAdminToken(plane.url, TEST_ADMIN_EMAIL, PASSWORD);
  // The real database for authentication, a failing one for the health probe.
  const failing = new Proxy(db.prisma, {
    get: (target, key) => {
      const real = Reflect.get(target, key);
      if (key !== "$queryRaw") return real;
      return (strings: TemplateStringsArray, ...values: unknown[]) =>
        strings.join("?").trim() === "SELECT 1"
          ? Promise.reject(new Error("connect ECONNREFUSED db.internal:5432 user=secret"))
          : (real as (s: TemplateStringsArray, ...v: unknown[]) => Promise<unknown>).call(
              target,
              strings,
              ...values,
            );
    },
  });
  const api = createApiHandler({
    prisma: failing,
    now: () => new Date(),
    config: { sessionTtlMs: 60_000, enrollmentTtlMs: 60_000, cookieSecure: false, validateResponses: true },
    logger: createLogger({ logLevel: "silent" }),
    hub: noopHub,
    version: "test",
  });
  const anonymous = await api(new Request("http://localhost/api/v1/health"));
  expect(anonymous.status).toBe(503);
  const text = await anonymous.text();
  expect(text).not.toMatch(/ECONNREFUSED|secret|db\.internal/);
  expect(JSON.parse(text).database).toEqual({ ok: false, latencyMs: null, error: "unavailable" });
  const signedIn = await api(
    new Request("http://localhost/api/v1/health", { headers: { authorization: `Bearer ${token}` } }),
  );
  expect(((await signedIn.json()) as { database: { error: string } }).database.error).toMatch(/ECONNREFUSED/);
});

it("/ui refuses a cookie from another site (Origin checked like the REST edge) and takes one from this one", async () => {
  const cookie = await signInCookie(plane.url);
  const attempt = (origin: string) =>
    new Promise<string>((resolve) => {
      const socket = connect(`${plane.url}/ui`, {
        transports: ["websocket"],
        reconnection: false,
        forceNew: true,
        extraHeaders: { cookie, origin },
      });
      socket.on("connect", () => {
        socket.close();
        resolve("connected");
      });
      socket.on("connect_error", (err: Error & { data?: { code?: string } }) => {
        socket.close();
        resolve(err.data?.code ?? err.message);
      });
    });
  expect(await attempt("http://evil.example:8080")).toBe("forbidden");
  expect(await attempt(new URL(plane.url).origin)).toBe("connected");
});

it("refuses a cross-site sign-out", async () => {
  const res = await fetch(`${plane.url}/api/v1/auth/sign-out`, {
    method: "POST",
    headers: { origin: "http://evil.example" },
  });
  expect(res.status).toBe(403);
});

it("compresses large JSON answers for clients that accept gzip, and leaves small ones alone", async () => {
  const token = await createAdminToken(plane.url, TEST_ADMIN_EMAIL, PASSWORD);
  // A list large enough to be worth compressing: 200 hosts.
  for (let i = 0; i < 200; i += 50) {
    await db.prisma.host.createMany({
      data: Array.from({ length: 50 }, (_, k) => ({ name: `gz-${i + k}`, description: "x".repeat(40) })),
    });
  }
  const raw = (path: string, encoding: string) =>
    new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>(
      (resolve, reject) => {
        const url = new URL(`${plane.url}${path}`);
        const req = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            headers: { authorization: `Bearer ${token}`, "accept-encoding": encoding },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (d: Buffer) => chunks.push(d));
            res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          },
        );
        req.on("error", reject);
        req.end();
      },
    );
  const plain = await raw("/api/v1/hosts", "identity");
  expect(plain.headers["content-encoding"]).toBeUndefined();
  const zipped = await raw("/api/v1/hosts", "gzip, deflate, br");
  expect(zipped.headers["content-encoding"]).toBe("gzip");
  expect(zipped.headers.vary).toMatch(/accept-encoding/i);
  expect(zipped.body.length).toBeLessThan(plain.body.length / 4);
  expect(JSON.parse(gunzipSync(zipped.body).toString())).toEqual(JSON.parse(plain.body.toString()));
  // A small answer is not worth it.
  const small = await raw("/api/v1/health", "gzip");
  expect(small.headers["content-encoding"]).toBeUndefined();
});
