// Issue 13 point 5: a browser socket ends with its credential, on every replica: sign-out and token
// revocation close it at once (through the socket.io Postgres adapter), a deleted user's socket at the
// next re-check.
import type { Socket } from "socket.io-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { signInCookie, startTestPlanes, type TestPlanes } from "./support/test-plane";
import { disconnected, openUiSocket } from "./support/ui-socket";

let env: TestPlanes;
let plane: TestPlanes["planes"][number];
let replica: TestPlanes["planes"][number];
let db: TestPlanes["db"];
const sockets: Socket[] = [];

beforeAll(async () => {
  env = await startTestPlanes(2, { UI_RECHECK_INTERVAL: "300ms" });
  ({ db } = env);
  [plane, replica] = env.planes as [typeof plane, typeof replica];
});
afterAll(async () => {
  for (const s of sockets) s.close();
  await env?.close();
});

const signIn = () => signInCookie(plane.url);

it("sign-out on one replica closes the session's socket on the other", async () => {
  const cookie = await signIn();
  const other = await openUiSocket(replica.url, { cookie: await signIn() }, sockets);
  const socket = await openUiSocket(replica.url, { cookie }, sockets);
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
  const socket = await openUiSocket(replica.url, { token }, sockets);
  const closed = disconnected(socket);
  const revoked = await fetch(`${plane.url}/api/v1/tokens/${id}`, { method: "DELETE", headers: { cookie } });
  expect(revoked.status).toBe(200);
  expect(await closed).toBe("io server disconnect");

  const viewer = await db.prisma.user.create({
    data: { email: "viewer@example.com", passwordHash: "x", role: "viewer" },
  });
  const session = await db.prisma.session.findFirstOrThrow({ orderBy: { createdAt: "desc" } });
  await db.prisma.session.update({ where: { id: session.id }, data: { userId: viewer.id } });
  const viewerSocket = await openUiSocket(replica.url, { cookie }, sockets);
  const gone = disconnected(viewerSocket);
  await db.prisma.user.delete({ where: { id: viewer.id } });
  expect(await gone).toBe("io server disconnect");
});
