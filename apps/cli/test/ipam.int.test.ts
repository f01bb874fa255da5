import { createApiToken, createUser, toUserDto } from "@switchyard/control";
import { createTestDatabase, type TestDatabase } from "@switchyard/db/testing";
import { pino } from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createApiHandler } from "../../web/src/server/api/handler";
import { noopHub } from "../../web/src/server/broadcast";
import type { FetchFn } from "../src/api";
import { invoke, loggedIn } from "./helpers";

let db: TestDatabase;
let fetch: FetchFn;
let config = loggedIn;
const HOUR = 3_600_000;
const now = new Date("2026-11-27T22:00:00Z");

beforeAll(async () => {
  db = await createTestDatabase();
  const api = createApiHandler({
    prisma: db.prisma,
    now: () => now,
    logger: pino({ level: "silent" }),
    hub: noopHub,
    version: "test",
    config: { sessionTtlMs: HOUR, enrollmentTtlMs: HOUR, cookieSecure: false },
  });
  fetch = (url, init) => api(new Request(url, init));
  const ctx = { prisma: db.prisma, now: () => now };
  const user = await createUser(ctx, {
    email: "ops@example.com",
    password: "ops-password-1",
    role: "operator",
  });
  const token = await createApiToken(
    ctx,
    { user: toUserDto(user), via: "session", credentialId: "s" },
    { name: "cli" },
  );
  config = { ...loggedIn, token: token.token };
  await db.prisma.host.create({ data: { name: "web-1" } });
});
afterAll(async () => {
  await db?.drop();
});

const yard = (...argv: string[]) => invoke(argv, { fetch, config, now });

it("yardctl ipam: create, allocate, show with block map, release, list", async () => {
  const created = await yard(
    "ipam",
    "create",
    "lan",
    "--cidr",
    "10.10.103.0/24",
    "--gateway",
    "10.10.103.254",
    "--reserve",
    "10.10.103.1-10.10.103.3,10.10.103.9",
  );
  expect(created).toMatchObject({ code: 0, stdout: "Created pool lan (10.10.103.0/24, blocks of 16).\n" });

  const a = await yard("ipam", "allocate", "lan", "--host", "web-1", "--key", "con1", "--reason", "test");
  expect(a).toMatchObject({ code: 0, stdout: "10.10.103.4/24 gateway 10.10.103.254\n" });
  const b = await yard("ipam", "allocate", "lan", "--host", "web-1", "--json");
  expect(JSON.parse(b.stdout)).toMatchObject({ address: "10.10.103.5", state: "active", source: "block" });
  const clash = await yard("ipam", "allocate", "lan", "--host", "web-1", "--ip", "10.10.103.4");
  expect(clash.code).toBe(1);
  expect(clash.stderr).toMatch(/10\.10\.103\.4 in pool lan is held by host web-1 \(key con1\)/);

  const show = await yard("ipam", "show", "lan");
  expect(show.code).toBe(0);
  expect(show.stdout).toContain(
    "Addresses:   2 allocated, 0 cooling down, 247 free of 249 usable (256 in subnet)\n",
  );
  expect(show.stdout).toMatch(
    /Forecast: +\+[\d.]+\/h over the last 6h: free blocks run out \d{4}-\d\d-\d\d \d\d:\d\dZ\n/,
  );
  expect(show.stdout).toMatch(
    /Block map\nBLOCK +FIRST +LAST +HOST +USED +COOLING +MAP\n0 +10\.10\.103\.0 +10\.10\.103\.15 +web-1 +2\/11 +0 +###\.+\n/,
  );
  expect(JSON.parse((await yard("ipam", "show", "lan", "--json")).stdout)).toMatchObject({
    usage: { blocksClaimed: 1 },
  });

  expect((await yard("ipam", "release", "lan", "10.10.103.4")).code).toBe(2);
  const released = await yard("ipam", "release", "lan", "10.10.103.4", "--reason", "container gone");
  expect(released.stdout).toBe("Released 10.10.103.4; reusable by others from 2026-11-27T22:01:00.000Z.\n");

  const list = await yard("ipam", "allocations", "lan", "--host", "web-1");
  expect(list.stdout.split("\n")[0]).toMatch(/^ADDRESS +STATE +HOST +SOURCE +KEY +ALLOCATED +REASON$/);
  expect(list.stdout).toMatch(/10\.10\.103\.4 +cooling/);
  const pools = await yard("ipam", "pools");
  expect(pools.stdout).toMatch(/lan +10\.10\.103\.0\/24 +10\.10\.103\.254 +16 +1 +1 +247 +1\/16 +no/);
});
