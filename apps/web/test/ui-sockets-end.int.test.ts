// Issue 13 point 5: a browser socket ends with its credential, on every replica: sign-out and token
// revocation close it at once (through the socket.io Postgres adapter), a deleted user's socket at the
// next re-check.
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { io as connect, type Socket } from "socket.io-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadConfig } from "../src/server/config";
import { type ControlPlane, startControlPlane } from "../src/server/control-plane";

const PASSWORD = "pw-for-ui-sockets";
let db: TestDatabase;
let plane: ControlPlane;
let replica: ControlPlane;
const sockets: Socket[] = [];

const configFor = (url: string) =>
  loadConfig({
    DATABASE_URL: url,
    PORT: "0",
    HOST: "127.0.0.1",
    SWITCHYARD_UI: "false",
    LOG_LEVEL: "silent",
    SWITCHYARD_ADMIN_PASSWORD: PASSWORD,
    UI_RECHECK_INTERVAL: "300ms",
  });

beforeAll(async () => {
  db = await createTestDatabase();
  plane = await startControlPlane(configFor(db.url));
  replica = await startControlPlane(configFor(db.url));
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await replica?.close();
  await plane?.close();
  await db?.drop();
});

async function signIn(): Promise<string> {
  const res = await fetch(`${plane.url}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@switchyard.local", password: PASSWORD }),
  });
  expect(res.status).toBe(200);
  return (res.headers.getSetCookie()[0] ?? "").split(";")[0] ?? "";
}

/** A /ui socket on the replica; resolves once connected. */
function uiSocket(options: { cookie?: string; token?: string }): Promise<Socket> {
  const socket = connect(`${replica.url}/ui`, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    ...(options.cookie ? { extraHeaders: { cookie: options.cookie } } : {}),
    ...(options.token ? { auth: { token: options.token } } : {}),
  });
  sockets.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

const disconnected = (socket: Socket, timeoutMs = 3000) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.once("disconnect", (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });

it("sign-out on one replica closes the session's socket on the other", async () => {
  const cookie = await signIn();
  const other = await uiSocket({ cookie: await signIn() });
  const socket = await uiSocket({ cookie });
  const closed = disconnected(socket);
  const out = await fetch(`${plane.url}/api/v1/auth/sign-out`, { method: "POST", headers: { cookie } });
  expect(out.status).toBe(200);
  expect(await closed).toBe("io server disconnect");
  expect(other.connected).toBe(true); // another session of the same user stays
});

it("revoking an API token closes its sockets; a deleted user's socket goes at the next re-check", async () => {
  const cookie = await signIn();
  const created = await fetch(`${plane.url}/api/v1/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ name: "ui-socket-test" }),
  });
  const { id, token } = (await created.json()) as { id: string; token: string };
  const socket = await uiSocket({ token });
  const closed = disconnected(socket);
  const revoked = await fetch(`${plane.url}/api/v1/tokens/${id}`, { method: "DELETE", headers: { cookie } });
  expect(revoked.status).toBe(200);
  expect(await closed).toBe("io server disconnect");

  const viewer = await db.prisma.user.create({
    data: { email: "viewer@example.com", passwordHash: "x", role: "viewer" },
  });
  const session = await db.prisma.session.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
  await db.prisma.session.update({ where: { id: session.id }, data: { userId: viewer.id } });
  const viewerSocket = await uiSocket({ cookie });
  const gone = disconnected(viewerSocket);
  await db.prisma.user.delete({ where: { id: viewer.id } });
  expect(await gone).toBe("io server disconnect");
});
