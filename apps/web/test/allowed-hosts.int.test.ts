/**
 * Issue 13: the cross-site check no longer trusts whatever Host and X-Forwarded-Host say. Three real
 * servers on one database each: without settings the request's own Host counts and a forged
 * X-Forwarded-Host does not (an Origin matching it is refused, REST and `/ui` alike); with
 * TRUST_PROXY=true the proxy's X-Forwarded-Host counts; with ALLOWED_HOSTS (and PUBLIC_URL) only those
 * hosts count, the request's own Host no longer. A cookie-authenticated POST /hosts is the probe.
 */
import http from "node:http";
import { io as connect } from "socket.io-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/server/config";
import { signInCookie, startTestPlanes } from "./support/test-plane";

let names = 0;

/** A raw request (node:http, so Host is ours to set) with the session cookie. */
function post(port: number, cookie: string, headers: Record<string, string>): Promise<number> {
  const body = JSON.stringify({ name: `probe-${names++}` });
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/api/v1/hosts",
        headers: {
          cookie,
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          ...headers,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** A `/ui` socket with the cookie and these headers: "connected" or the refusal's code. */
function socketWith(port: number, cookie: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(`http://127.0.0.1:${port}/ui`, {
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      extraHeaders: { cookie, ...headers },
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
}

async function serverWith(env: Record<string, string>) {
  const planes = await startTestPlanes(1, env);
  const port = planes.planes[0]?.port ?? 0;
  const cookie = await signInCookie(`http://127.0.0.1:${port}`);
  return { planes, port, cookie, self: `127.0.0.1:${port}` };
}

describe("without ALLOWED_HOSTS or TRUST_PROXY", () => {
  let s: Awaited<ReturnType<typeof serverWith>>;
  beforeAll(async () => {
    s = await serverWith({});
  }, 60_000);
  afterAll(async () => {
    await s?.planes.close();
  });

  it("accepts an Origin naming the request's own Host", async () => {
    expect(await post(s.port, s.cookie, { origin: `http://${s.self}`, host: s.self })).toBe(201);
    expect(await post(s.port, s.cookie, { origin: "http://yard.example", host: "yard.example" })).toBe(201);
  });

  it("refuses an Origin matching a forged X-Forwarded-Host, over REST and /ui", async () => {
    const forged = { origin: "http://evil.example", "x-forwarded-host": "evil.example" };
    expect(await post(s.port, s.cookie, forged)).toBe(403);
    expect(await socketWith(s.port, s.cookie, forged)).toBe("forbidden");
    // An untrusted X-Forwarded-Host also means the Host is a proxy's upstream name: it does not count.
    const proxied = { origin: `http://${s.self}`, host: s.self, "x-forwarded-host": "evil.example" };
    expect(await post(s.port, s.cookie, proxied)).toBe(403);
    expect(await socketWith(s.port, s.cookie, { origin: `http://${s.self}` })).toBe("connected");
  });
});

describe("TRUST_PROXY=true", () => {
  let s: Awaited<ReturnType<typeof serverWith>>;
  beforeAll(async () => {
    s = await serverWith({ TRUST_PROXY: "true" });
  }, 60_000);
  afterAll(async () => {
    await s?.planes.close();
  });

  it("accepts an Origin matching the proxy's X-Forwarded-Host (its first entry) and nothing else", async () => {
    const viaProxy = { origin: "https://yard.example", "x-forwarded-host": "yard.example" };
    expect(await post(s.port, s.cookie, viaProxy)).toBe(201);
    expect(await socketWith(s.port, s.cookie, viaProxy)).toBe("connected");
    const chained = { origin: "https://yard.example", "x-forwarded-host": "yard.example, inner.example" };
    expect(await post(s.port, s.cookie, chained)).toBe(201);
    const other = { origin: "https://evil.example", "x-forwarded-host": "yard.example" };
    expect(await post(s.port, s.cookie, other)).toBe(403);
    expect(await socketWith(s.port, s.cookie, other)).toBe("forbidden");
    // Without the header the request's own Host counts, as without a proxy.
    expect(await post(s.port, s.cookie, { origin: `http://${s.self}`, host: s.self })).toBe(201);
  });
});

describe("ALLOWED_HOSTS", () => {
  let s: Awaited<ReturnType<typeof serverWith>>;
  beforeAll(async () => {
    s = await serverWith({
      ALLOWED_HOSTS: "Yard.example:8443, ops.example",
      PUBLIC_URL: "https://ui.example",
      TRUST_PROXY: "true",
      COOKIE_SECURE: "false",
    });
  }, 60_000);
  afterAll(async () => {
    await s?.planes.close();
  });

  it("accepts the listed hosts and PUBLIC_URL's, and refuses the request's own Host and X-Forwarded-Host", async () => {
    expect(await post(s.port, s.cookie, { origin: "https://yard.example:8443" })).toBe(201);
    expect(await post(s.port, s.cookie, { origin: "http://ops.example" })).toBe(201);
    expect(await post(s.port, s.cookie, { origin: "https://ui.example" })).toBe(201);
    expect(await socketWith(s.port, s.cookie, { origin: "https://ops.example" })).toBe("connected");
    // Another port of a listed host is another host.
    expect(await post(s.port, s.cookie, { origin: "https://yard.example" })).toBe(403);
    // A rebound name: Origin and Host agree, but the host is not listed.
    expect(await post(s.port, s.cookie, { origin: "http://evil.example", host: "evil.example" })).toBe(403);
    expect(await post(s.port, s.cookie, { origin: `http://${s.self}`, host: s.self })).toBe(403);
    const forwarded = { origin: "https://evil.example", "x-forwarded-host": "evil.example" };
    expect(await post(s.port, s.cookie, forwarded)).toBe(403);
    expect(await socketWith(s.port, s.cookie, forwarded)).toBe("forbidden");
  });
});

it("refuses an ALLOWED_HOSTS entry that is not a host or host:port, naming it", () => {
  for (const bad of ["https://yard.example", "yard.example/ui", "user@yard.example", "yard.example:99999"]) {
    expect(() => loadConfig({ ALLOWED_HOSTS: bad }), bad).toThrow(ConfigError);
    expect(() => loadConfig({ ALLOWED_HOSTS: bad }), bad).toThrow(/ALLOWED_HOSTS/);
  }
  expect(loadConfig({ ALLOWED_HOSTS: "a.example, [::1]:3000,10.0.0.1" }).site.hosts).toEqual([
    "a.example",
    "[::1]:3000",
    "10.0.0.1",
  ]);
});
