/**
 * `npm run bench -- map [--sizes 100,1000] [--containers 10]`: the topology map at fleet scale (issue 11)
 * in Debian's Chromium (playwright-core, no GPU, 1440x900) against a real control plane (server.ts, built
 * UI) on a fleet seeded as agents store inventories (@switchyard/db/fleet-seed) plus one host with a
 * socket-level agent. Per size, prints JSON: the overview payload (bytes, cold and warm ms) next to the
 * old whole-topology payload, time from navigation to the first settled draw, the longest main-thread
 * task while loading, and for one inventory change reported by the agent: report-to-screen ms, the
 * renderer's main-thread ms in that window (CDP TaskDuration) next to an idle window of the same length,
 * and the element diff the graph applied.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { openScratchServer } from "@switchyard/db";
import { fleetInventory, seedFleet } from "@switchyard/db/fleet-seed";
import { createTestDatabase, TEST_ADMIN_URL_ENV } from "@switchyard/db/testing";
import { AgentEvents, PROTOCOL_VERSION, ServerToAgentEvents } from "@switchyard/protocol";
import { type CDPSession, chromium } from "playwright-core";
import { io, type Socket } from "socket.io-client";

const { values } = parseArgs({
  options: { sizes: { type: "string", default: "100,1000" }, containers: { type: "string", default: "10" } },
});
const SIZES = values.sizes.split(",").map(Number);
const CONTAINERS = Number(values.containers);
const PASSWORD = "bench-map-password";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
];
const round = (n: number) => Math.round(n * 10) / 10;

async function startServer(databaseUrl: string): Promise<{ url: string; child: ChildProcess }> {
  const port = 40_000 + Math.floor(Math.random() * 10_000);
  const child = spawn(process.execPath, ["--import", "tsx", "server.ts"], {
    cwd: new URL("../../apps/web/", import.meta.url).pathname,
    stdio: ["ignore", "ignore", "inherit"],
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      SOCKET_ADAPTER: "memory",
      SWITCHYARD_ADMIN_PASSWORD: PASSWORD,
      SWITCHYARD_LOCAL_AGENT: "false",
      LOG_LEVEL: "warn",
    },
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    if (
      await fetch(`${url}/api/v1/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, child };
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("server did not become healthy");
}

async function signIn(url: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "admin@switchyard.local", password: PASSWORD }),
  });
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error(`sign-in failed: HTTP ${res.status}`);
  return cookie;
}

/** A host enrolled through the API with an agent at the socket level that reports what it is told. */
async function socketAgent(url: string, cookie: string, name: string) {
  const created = (await (
    await fetch(`${url}/api/v1/hosts`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ name }),
    })
  ).json()) as { host: { id: string }; enrollment: { token: string } };
  const enrolled = (await (
    await fetch(`${url}/api/v1/agent/enroll`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        token: created.enrollment.token,
        protocolVersion: PROTOCOL_VERSION,
        agentVersion: "0.1.0-bench",
        hostname: name,
      }),
    })
  ).json()) as { credential: string };
  const socket: Socket = io(`${url}/agent`, {
    auth: { credential: enrolled.credential, protocolVersion: PROTOCOL_VERSION, agentVersion: "0.1.0-bench" },
    transports: ["websocket"],
    forceNew: true,
  });
  await new Promise<void>((resolve) => socket.once(ServerToAgentEvents.welcome, () => resolve()));
  const report = (inventory: object) =>
    new Promise<void>((resolve) => socket.emit(AgentEvents.inventory, { inventory }, () => resolve()));
  return { hostId: created.host.id, socket, report };
}

/** The renderer's main-thread busy time so far (CDP Performance.getMetrics TaskDuration), ms. */
async function taskMs(cdp: CDPSession): Promise<number> {
  const { metrics } = (await cdp.send("Performance.getMetrics")) as {
    metrics: { name: string; value: number }[];
  };
  return (metrics.find((m) => m.name === "TaskDuration")?.value ?? 0) * 1000;
}

async function measure(size: number) {
  const admin = await openScratchServer(process.env.DATABASE_URL, `bench-map-${size}`);
  process.env[TEST_ADMIN_URL_ENV] = admin.adminUrl;
  const db = await createTestDatabase();
  const options = { hosts: size - 1, containersPerHost: CONTAINERS, prefix: "b-" };
  await seedFleet(db.url, options);
  const server = await startServer(db.url);
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const cookie = await signIn(server.url);
    const agent = await socketAgent(server.url, cookie, "b-a-live");
    const base = fleetInventory(options, size - 1, new Date().toISOString()) as { containers: unknown[] };
    await agent.report({ ...base, containers: base.containers.slice(0, CONTAINERS - 1) });

    const timed = async (path: string) => {
      const t = performance.now();
      const body = await (await fetch(`${server.url}${path}`, { headers: { cookie } })).arrayBuffer();
      return { bytes: body.byteLength, ms: round(performance.now() - t) };
    };
    const cold = await timed("/api/v1/topology/fleet");
    const warm = await timed("/api/v1/topology/fleet");
    // The whole topology, as before paging: 1,000 hosts fit in one page of the largest size.
    const whole = await timed("/api/v1/topology?limit=1000");

    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const [name, value] = cookie.split("=") as [string, string];
    await context.addCookies([{ name, value, url: server.url }]);
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    await page.goto(server.url);
    const frame = page.getByTestId("topology-graph");
    await frame.and(page.locator(`[data-host-count="${size}"][data-drawn-at]`)).waitFor({ timeout: 120_000 });
    const firstDrawMs = Number(await frame.getAttribute("data-drawn-at"));
    const longestTaskMs = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          let longest = 0;
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) longest = Math.max(longest, e.duration);
          }).observe({ type: "longtask", buffered: true });
          setTimeout(() => resolve(longest), 200);
        }),
    );
    await page.waitForTimeout(1_000);

    const windowMs = 1_500;
    const idleStart = await taskMs(cdp);
    await page.waitForTimeout(windowMs);
    const idleMs = (await taskMs(cdp)) - idleStart;

    const row = page.getByTestId("host-b-a-live");
    const applied = Number(await frame.getAttribute("data-applied"));
    const before = await taskMs(cdp);
    const reported = performance.now();
    await agent.report({ ...base, collectedAt: new Date().toISOString() });
    await row.filter({ hasText: `${CONTAINERS} ctr` }).waitFor({ timeout: 30_000 });
    const reportToScreenMs = round(performance.now() - reported);
    await page.waitForTimeout(Math.max(0, windowMs - reportToScreenMs));
    const changeMs = (await taskMs(cdp)) - before;
    const result = {
      hosts: size,
      containers: size * CONTAINERS,
      overview: { bytes: cold.bytes, coldMs: cold.ms, warmMs: warm.ms },
      wholeTopology: { bytes: whole.bytes, ms: whole.ms },
      firstDrawMs,
      longestTaskMs: round(longestTaskMs),
      change: {
        reportToScreenMs,
        mainThreadMs: round(changeMs),
        idleMainThreadMs: round(idleMs),
        windowMs,
        diff: await frame.getAttribute("data-last-diff"),
        applyMs: Number(await frame.getAttribute("data-last-apply-ms")),
        graphUpdates: Number(await frame.getAttribute("data-applied")) - applied,
      },
    };
    agent.socket.disconnect();
    await context.close();
    return result;
  } finally {
    await browser.close();
    server.child.kill("SIGTERM");
    await new Promise((r) => server.child.once("exit", r));
    await db.drop();
    await admin.stop();
  }
}

// The built UI, rebuilt when its sources changed (what `npm start` and the e2e suite use).
const build = spawnSync(
  process.execPath,
  ["--input-type=module", "-e", "(await import('./scripts/web-build.mjs')).ensureWebBuild()"],
  { stdio: ["ignore", "inherit", "inherit"] },
);
if (build.status !== 0) process.exit(build.status ?? 1);
const results = [];
for (const size of SIZES) results.push(await measure(size));
console.log(JSON.stringify({ bench: "map", viewport: "1440x900", results }, null, 2));
