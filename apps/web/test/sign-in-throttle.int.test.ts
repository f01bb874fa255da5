// Issue 13 point 3: sign-in throttled per account and per client address (shared through the database),
// with a clear 429 and Retry-After, an audit entry per lock, and a bound on password hashes in flight.
import { DomainError, HashLimiter } from "@switchyard/control";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ADMIN_PASSWORD as PASSWORD, startTestPlanes, type TestPlanes } from "./support/test-plane";

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

const signIn = (email: string, password: string) =>
  fetch(`${plane.url}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });

describe("sign-in throttling", () => {
  it("locks the account after repeated failures (429 + Retry-After, even for the right password), then lets it in", async () => {
    for (let i = 0; i < 6; i++) expect((await signIn("admin@switchyard.local", "wrong")).status).toBe(401);
    const locked = await signIn("admin@switchyard.local", PASSWORD);
    expect(locked.status).toBe(429);
    const retryAfter = Number(locked.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    const body = (await locked.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("rate_limited");
    expect(body.error.message).toMatch(/too many failed sign-ins/);
    expect(await db.prisma.auditEvent.count({ where: { action: "auth.sign_in_locked" } })).toBeGreaterThan(0);

    await new Promise((r) => setTimeout(r, retryAfter * 1000 + 100));
    expect((await signIn("admin@switchyard.local", PASSWORD)).status).toBe(200);
    // The success forgave the account, not the address.
    expect(await db.prisma.signInThrottle.count({ where: { key: "account:admin@switchyard.local" } })).toBe(
      0,
    );
  });

  it("locks the client address across accounts (one address guessing many accounts)", async () => {
    expect((await signIn("nobody@example.com", "wrong")).status).toBe(401);
    const refused = await signIn("someone-else@example.com", "wrong");
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(
      /from this address/,
    );
  });

  it("bounds password hashes in flight: beyond the queue, a 429 at once", async () => {
    const limiter = new HashLimiter(1, 1);
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const first = limiter.run(() => gate);
    const second = limiter.run(async () => "second");
    const third = await limiter.run(async () => "third").catch((e: unknown) => e);
    expect(third).toBeInstanceOf(DomainError);
    expect((third as DomainError).code).toBe("rate_limited");
    release();
    await first;
    expect(await second).toBe("second");
  });
});
