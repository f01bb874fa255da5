/**
 * `npm run bench -- sign-in [--attempts 100]`: is the server still responsive while `attempts` wrong
 * sign-ins arrive at once (issue 13 point 3)? Prints JSON: the statuses they got, how long the storm
 * took, and /api/v1/health latency measured during it next to the same measure at rest.
 */
import { parseArgs } from "node:util";
import { openScratchServer } from "@switchyard/db";
import { createTestDatabase, TEST_ADMIN_URL_ENV } from "@switchyard/db/testing";
import { loadConfig } from "../../apps/web/src/server/config";
import { startControlPlane } from "../../apps/web/src/server/control-plane";

const { values } = parseArgs({ options: { attempts: { type: "string", default: "100" } } });
const attempts = Number(values.attempts);

const server = await openScratchServer(process.env.DATABASE_URL, "bench-sign-in");
process.env[TEST_ADMIN_URL_ENV] = server.adminUrl;
const db = await createTestDatabase();
const plane = await startControlPlane(
  loadConfig({
    DATABASE_URL: db.url,
    PORT: "0",
    HOST: "127.0.0.1",
    SWITCHYARD_UI: "false",
    SOCKET_ADAPTER: "memory",
    LOG_LEVEL: "silent",
    SWITCHYARD_ADMIN_PASSWORD: "bench-password",
  }),
);

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round((s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0) * 10) / 10;
};

/** /health every 20 ms until `done` resolves; returns each answer's latency. */
async function probeHealth(done: Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  let finished = false;
  void done.then(() => {
    finished = true;
  });
  while (!finished) {
    const t = performance.now();
    await fetch(`${plane.url}/api/v1/health`).then((r) => r.arrayBuffer());
    out.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  return out;
}

try {
  const rest = await probeHealth(new Promise((r) => setTimeout(r, 1000)));
  const started = performance.now();
  const storm = Promise.all(
    Array.from({ length: attempts }, (_, i) =>
      fetch(`${plane.url}/api/v1/auth/sign-in`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          email: i % 2 ? "admin@switchyard.local" : `guess-${i}@example.com`,
          password: "wrong",
        }),
      }).then(async (r) => {
        await r.arrayBuffer();
        return r.status;
      }),
    ),
  );
  const [statuses, during] = await Promise.all([storm, probeHealth(storm)]);
  const stormMs = performance.now() - started;
  const counts: Record<string, number> = {};
  for (const s of statuses) counts[s] = (counts[s] ?? 0) + 1;
  console.log(
    JSON.stringify(
      {
        bench: "sign-in",
        attempts,
        statuses: counts,
        stormMs: Math.round(stormMs),
        healthAtRestMs: { p50: percentile(rest, 50), p99: percentile(rest, 99), n: rest.length },
        healthDuringStormMs: { p50: percentile(during, 50), p99: percentile(during, 99), n: during.length },
      },
      null,
      2,
    ),
  );
} finally {
  await plane.close();
  await db.drop();
  await server.stop();
}
