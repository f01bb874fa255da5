import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readCredential, writeCredential } from "../src/credentials";
import { EnrollUnavailable, enroll, type FetchFn, obtainCredential } from "../src/enroll";
import { FatalError } from "../src/exit-codes";
import { createLogger } from "../src/logger";

const identity = { agentVersion: "0.1.0", protocolVersion: 1 };
const logger = createLogger({ level: "error", write: () => {} });

function respond(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

function apiError(code: string, message: string, details?: Record<string, unknown>) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "agent-enroll-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("enroll", () => {
  it("posts the enroll body and returns the credential", async () => {
    const calls: { url: string; body: unknown }[] = [];
    const fetch: FetchFn = async (url, init) => {
      calls.push({ url, body: JSON.parse(String(init.body)) });
      return respond(201, { hostId: "h1", hostName: "box1", credential: "shc_x" });
    };
    const res = await enroll({
      server: "http://cp:3000",
      token: "tok",
      hostname: "box1",
      ...identity,
      fetch,
    });
    expect(res).toEqual({ hostId: "h1", hostName: "box1", credential: "shc_x" });
    expect(calls).toEqual([
      {
        url: "http://cp:3000/api/v1/agent/enroll",
        body: { token: "tok", protocolVersion: 1, agentVersion: "0.1.0", hostname: "box1" },
      },
    ]);
  });

  it.each([
    [
      426,
      apiError("protocol_mismatch", "agent speaks 1", { serverProtocolVersion: 2 }),
      3,
      /protocol 1, the control plane speaks 2/,
    ],
    [
      401,
      apiError("unauthorized", "enrollment token is not valid"),
      4,
      /token refused \(HTTP 401\): enrollment token is not valid/,
    ],
    [409, apiError("conflict", "enrollment token was already used"), 4, /already used/],
    [422, apiError("validation_failed", "hostname too long"), 2, /rejected as invalid: hostname too long/],
    [200, { hello: "world" }, 1, /is http:\/\/cp a Switchyard control plane\?/],
  ])("HTTP %i is fatal", async (status, body, exitCode, message) => {
    const fetch: FetchFn = async () => respond(status, body);
    const promise = enroll({ server: "http://cp", token: "t", hostname: "h", ...identity, fetch });
    await expect(promise).rejects.toBeInstanceOf(FatalError);
    await expect(promise).rejects.toMatchObject({ exitCode });
    await expect(promise).rejects.toThrow(message);
  });

  it("marks network failures and 5xx as retryable", async () => {
    const down: FetchFn = async () => {
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:1") });
    };
    await expect(
      enroll({ server: "http://cp", token: "t", hostname: "h", ...identity, fetch: down }),
    ).rejects.toThrow(
      new EnrollUnavailable("cannot reach http://cp/api/v1/agent/enroll: connect ECONNREFUSED 127.0.0.1:1"),
    );
    const busy: FetchFn = async () => respond(503, apiError("internal", "database unavailable"));
    await expect(
      enroll({ server: "http://cp", token: "t", hostname: "h", ...identity, fetch: busy }),
    ).rejects.toThrow(EnrollUnavailable);
  });
});

describe("obtainCredential", () => {
  const base = () => ({
    server: "http://cp",
    token: "tok",
    credentialFile: join(dir, "etc", "agent.json"),
    hostname: "box1",
    identity,
    logger,
    now: () => new Date("2026-01-01T00:00:00Z"),
    random: () => 0,
  });

  it("uses an existing credential file without calling the server", async () => {
    const stored = {
      server: "http://cp",
      hostId: "h1",
      hostName: "box1",
      credential: "shc_old",
      enrolledAt: "x",
    };
    await writeCredential(base().credentialFile, stored);
    const fetch: FetchFn = async () => {
      throw new Error("must not be called");
    };
    expect(await obtainCredential({ ...base(), token: null, fetch })).toEqual(stored);
  });

  it("enrolls, retrying while the server is unreachable, and stores the credential 0600", async () => {
    let calls = 0;
    const fetch: FetchFn = async () => {
      calls++;
      if (calls === 1) throw new TypeError("fetch failed");
      return respond(201, { hostId: "h1", hostName: "box1", credential: "shc_new" });
    };
    const got = await obtainCredential({ ...base(), fetch });
    expect(calls).toBe(2);
    expect(got).toEqual({
      server: "http://cp",
      hostId: "h1",
      hostName: "box1",
      credential: "shc_new",
      enrolledAt: "2026-01-01T00:00:00.000Z",
    });
    expect(await readCredential(base().credentialFile)).toEqual(got);
    expect((await stat(base().credentialFile)).mode & 0o777).toBe(0o600);
  });

  it("without a credential file or token, fails with a usage error", async () => {
    await expect(obtainCredential({ ...base(), token: null })).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/not enrolled yet: no credential file at .*pass --token/),
    });
  });

  it("stops waiting when aborted", async () => {
    const controller = new AbortController();
    const fetch: FetchFn = async () => {
      controller.abort();
      throw new TypeError("fetch failed");
    };
    expect(await obtainCredential({ ...base(), fetch, signal: controller.signal })).toBeNull();
  });
});
