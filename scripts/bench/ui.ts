/**
 * `npm run bench -- ui [--sizes 100,1000] [--containers 10] [--profile DIR]`: the topology map at fleet
 * scale (issue 11) in Debian's Chromium (playwright-core, no GPU, 1440x900) against a real control plane
 * (server.ts, built UI) on a fleet seeded as agents store inventories (@switchyard/db/fleet-seed) plus one
 * host with a socket-level agent. Per size, prints JSON:
 * - the overview payload (bytes, cold and warm ms) next to the old whole-topology payload;
 * - navigation to the first settled draw, and to drawn-and-responsive (the end of the last long task);
 * - the longest main-thread task while loading;
 * - click to paint: a host clicked in the side list until the frame that shows it selected, and until
 *   its expanded detail is drawn (a fetch included);
 * - wheel-zoom frame times over the canvas (rAF intervals while zooming);
 * - renderer memory (the tab's renderer process RSS, JS heap, DOM nodes);
 * - for one inventory change reported by the agent: report-to-screen ms, the renderer's main-thread ms in
 *   that window (CDP TaskDuration) next to an idle window of the same length, and the element diff.
 * Targets at 1,000 hosts (issue 11): responsive <= 3 s, click to paint <= 100 ms, zoom frames <= 50 ms,
 * change on screen <= 1 s, renderer <= 400 MB. `--profile DIR` writes the page load's CPU profile.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { openScratchServer } from "@switchyard/db";
import { fleetHostName, fleetInventory, seedFleet } from "@switchyard/db/fleet-seed";
import { createTestDatabase, TEST_ADMIN_URL_ENV } from "@switchyard/db/testing";
import { AgentEvents, PROTOCOL_VERSION, ServerToAgentEvents } from "@switchyard/protocol";
import { type Browser, type CDPSession, chromium, type Page } from "playwright-core";
import { io, type Socket } from "socket.io-client";
import { CHROMIUM_ARGS, CHROMIUM_PATH } from "../../e2e/support/chromium";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "100,1000" },
    containers: { type: "string", default: "10" },
    profile: { type: "string" },
  },
});
const SIZES = values.sizes.split(",").map(Number);
const CONTAINERS = Number(values.containers);
const PASSWORD = "bench-map-password";
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

/** Runs `step`, with `--profile DIR` under the renderer's CPU profiler (DIR/ui-NAME.cpuprofile). */
async function profiled<T>(cdp: CDPSession, name: string, step: () => Promise<T>): Promise<T> {
  if (!values.profile) return step();
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.start");
  const result = await step();
  const { profile } = (await cdp.send("Profiler.stop")) as { profile: unknown };
  writeFileSync(`${values.profile}/ui-${name}.cpuprofile`, JSON.stringify(profile));
  return result;
}

/** The page's JS heap and DOM node count (CDP Performance.getMetrics). */
async function heapAndNodes(cdp: CDPSession) {
  const { metrics } = (await cdp.send("Performance.getMetrics")) as {
    metrics: { name: string; value: number }[];
  };
  const metric = (name: string) => metrics.find((m) => m.name === name)?.value ?? 0;
  return { jsHeapUsedMb: round(metric("JSHeapUsedSize") / 2 ** 20), domNodes: metric("Nodes") };
}

/** Renderer processes' resident memory (CDP SystemInfo names them; /proc has their RSS), MB. */
async function rendererRssMb(browser: Browser): Promise<number> {
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = (await cdp.send("SystemInfo.getProcessInfo")) as {
    processInfo: { type: string; id: number }[];
  };
  await cdp.detach();
  let largest = 0;
  for (const p of processInfo.filter((p) => p.type === "renderer")) {
    const status = readFileSync(`/proc/${p.id}/status`, "utf8");
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    largest = Math.max(largest, kb);
  }
  return round(largest / 1024);
}

const percentile = (sorted: number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);

/**
 * Clicks a host in the side list; resolves with the ms from the click event to the first animation frame
 * where the row shows it selected, to the one where the graph has drawn one more expanded host, and the
 * click's Event Timing duration (input to the next paint, as the browser measures interactions; entries
 * under 16 ms are not reported, so 16 means "at most 16").
 */
async function clickToPaint(page: Page, hostName: string) {
  const waiting = page.evaluate(
    (name) =>
      new Promise<{ selectedMs: number; expandedMs: number; interactionMs: number }>((resolve, reject) => {
        const frame = document.querySelector<HTMLElement>('[data-testid="topology-graph"]');
        const row = document.querySelector(`[data-testid="host-${name}"]`);
        if (!frame || !row) return reject(new Error(`no row for ${name}`));
        const expandedBefore = Number(frame.dataset.expandedCount ?? 0);
        let interactionMs = 16;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries())
            if (["pointerdown", "pointerup", "mousedown", "mouseup", "click"].includes(e.name))
              interactionMs = Math.max(interactionMs, e.duration);
        }).observe({ type: "event", durationThreshold: 16 } as PerformanceObserverInit);
        let clickedAt = 0;
        let selectedMs = 0;
        row.addEventListener(
          "click",
          (e) => {
            clickedAt = e.timeStamp;
          },
          { capture: true, once: true },
        );
        const deadline = performance.now() + 30_000;
        const poll = (now: number) => {
          if (clickedAt && !selectedMs && row.querySelector(".summary-row.selected"))
            selectedMs = now - clickedAt;
          if (selectedMs && Number(frame.dataset.expandedCount ?? 0) > expandedBefore)
            // One more frame, so the Event Timing entry of the click is in.
            return requestAnimationFrame(() =>
              resolve({ selectedMs, expandedMs: now - clickedAt, interactionMs }),
            );
          if (now > deadline) return reject(new Error("click was not painted in 30 s"));
          requestAnimationFrame(poll);
        };
        requestAnimationFrame(poll);
      }),
    hostName,
  );
  await page.getByTestId(`host-${hostName}`).locator("button").first().click();
  const { selectedMs, expandedMs, interactionMs } = await waiting;
  return {
    interactionMs: round(interactionMs),
    selectedMs: round(selectedMs),
    expandedMs: round(expandedMs),
  };
}

/** Wheel-zooms in over the canvas centre and out again; the animation-frame intervals meanwhile, ms. */
async function zoomFrames(page: Page) {
  const box = await page.getByTestId("topology-graph").boundingBox();
  if (!box) throw new Error("no graph frame");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__frames = [];
    w.__recording = true;
    let last = performance.now();
    const tick = (now: number) => {
      w.__frames.push(now - last);
      last = now;
      if (w.__recording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  // 16 notches in reach the zoom where host labels are drawn (about 1.2 from the overview's 0.15).
  for (const delta of [...Array(16).fill(-120), ...Array(16).fill(120)]) {
    await page.mouse.wheel(0, delta);
    await page.waitForTimeout(40);
  }
  await page.waitForTimeout(500);
  const frames = await page.evaluate(() => {
    const w = window as unknown as { __frames: number[]; __recording: boolean };
    w.__recording = false;
    return w.__frames.slice(1);
  });
  const sorted = [...frames].sort((a, b) => a - b);
  return {
    frames: frames.length,
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    max: round(sorted.at(-1) ?? 0),
  };
}

async function measure(size: number) {
  const admin = await openScratchServer(process.env.DATABASE_URL, `bench-map-${size}`);
  process.env[TEST_ADMIN_URL_ENV] = admin.adminUrl;
  const db = await createTestDatabase();
  const options = { hosts: size - 1, containersPerHost: CONTAINERS, prefix: "b-" };
  await seedFleet(db.url, options);
  const server = await startServer(db.url);
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
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
    // tsx (esbuild keepNames) wraps named functions in `__name(...)`, which the page lacks.
    await context.addInitScript("globalThis.__name = (fn) => fn;");
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Performance.enable");
    const frame = page.getByTestId("topology-graph");
    await profiled(cdp, `load-${size}`, async () => {
      await page.goto(server.url);
      await frame
        .and(page.locator(`[data-host-count="${size}"][data-drawn-at]`))
        .waitFor({ timeout: 120_000 });
      await page.waitForTimeout(2_000);
    });
    const firstDrawMs = Number(await frame.getAttribute("data-drawn-at"));
    // Long tasks since navigation: the longest, and the end of the last one (the page answers input after it).
    const tasks = await page.evaluate(
      () =>
        new Promise<{ longest: number; lastEnd: number }>((resolve) => {
          const seen = { longest: 0, lastEnd: 0 };
          new PerformanceObserver((list) => {
            for (const e of list.getEntries()) {
              seen.longest = Math.max(seen.longest, e.duration);
              seen.lastEnd = Math.max(seen.lastEnd, e.startTime + e.duration);
            }
          }).observe({ type: "longtask", buffered: true });
          setTimeout(() => resolve(seen), 200);
        }),
    );
    const responsiveMs = Math.round(Math.max(firstDrawMs, tasks.lastEnd));

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
    const change = {
      reportToScreenMs,
      mainThreadMs: round(changeMs),
      idleMainThreadMs: round(idleMs),
      windowMs,
      diff: await frame.getAttribute("data-last-diff"),
      applyMs: Number(await frame.getAttribute("data-last-apply-ms")),
      graphUpdates: Number(await frame.getAttribute("data-applied")) - applied,
    };
    const click = await profiled(cdp, `click-${size}`, () =>
      clickToPaint(page, fleetHostName(options.prefix, 0)),
    );
    const zoom = await profiled(cdp, `zoom-${size}`, () => zoomFrames(page));
    const memory = {
      rendererRssMb: await rendererRssMb(browser),
      ...(await heapAndNodes(cdp)),
    };

    const result = {
      hosts: size,
      containers: size * CONTAINERS,
      overview: { bytes: cold.bytes, coldMs: cold.ms, warmMs: warm.ms },
      wholeTopology: { bytes: whole.bytes, ms: whole.ms },
      firstDrawMs,
      responsiveMs,
      longestTaskMs: round(tasks.longest),
      clickToPaint: click,
      zoomFrameMs: zoom,
      memory,
      change,
    };
    agent.socket.disconnect();
    await context.close();
    return result;
  } finally {
    await browser.close();
    server.child.kill("SIGTERM");
    const killer = setTimeout(() => server.child.kill("SIGKILL"), 10_000);
    await new Promise((r) => server.child.once("exit", r));
    clearTimeout(killer);
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
console.log(
  JSON.stringify({ bench: "ui", viewport: "1440x900", loadAverage: loadavg().map(round), results }, null, 2),
);
