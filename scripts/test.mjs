#!/usr/bin/env node
// `npm test [-- SUITE...]`: runs every suite (unit, int, net, e2e) one after another and prints a
// summary. A suite whose prerequisites are missing FAILS with the reason; nothing is skipped silently.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const SUITES = {
  unit: { what: "pure logic (vitest)", needs: [] },
  int: { what: "real PostgreSQL (vitest)", needs: [] },
  net: {
    what: "root: namespaces, Open vSwitch, Docker (vitest)",
    needs: [
      "root",
      "ip",
      "ovs-vsctl",
      "ovsdb-server",
      "ovs-vswitchd",
      "dockerd",
      "docker",
      "busybox",
      "arping",
      "ping",
      "nsenter",
    ],
  },
  e2e: { what: "Playwright in Debian's Chromium", needs: ["root", "ip", "/usr/bin/chromium"] },
};

const requested = process.argv.slice(2);
const unknown = requested.filter((s) => !(s in SUITES));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(", ")}; known: ${Object.keys(SUITES).join(", ")}`);
  process.exit(2);
}
const selected = requested.length ? requested : Object.keys(SUITES);
const work = mkdtempSync(join(tmpdir(), "sy-test-report-"));

function missingPrerequisites(needs) {
  return needs.filter((need) => {
    if (need === "root") return process.getuid?.() !== 0;
    if (need.startsWith("/")) return !existsSync(need);
    return spawnSync("sh", ["-c", 'command -v "$1"', "sh", need], { stdio: "ignore" }).status !== 0;
  });
}

function runVitest(suite) {
  const out = join(work, `${suite}.json`);
  const r = spawnSync(
    "npx",
    [
      "vitest",
      "run",
      "--project",
      suite,
      "--reporter=default",
      "--reporter=json",
      `--outputFile.json=${out}`,
    ],
    { stdio: "inherit" },
  );
  if (!existsSync(out)) return { passed: 0, failed: 1, skipped: 0, exit: r.status ?? 1 };
  const j = JSON.parse(readFileSync(out, "utf8"));
  const failed = j.numFailedTests + (j.numFailedTestSuites > 0 && j.numFailedTests === 0 ? 1 : 0);
  return {
    passed: j.numPassedTests,
    failed,
    skipped: j.numPendingTests + j.numTodoTests,
    exit: r.status ?? 1,
  };
}

function runPlaywright() {
  const out = join(work, "e2e.json");
  const r = spawnSync("node", ["e2e/run.mjs"], {
    stdio: "inherit",
    env: { ...process.env, PLAYWRIGHT_JSON_OUTPUT_NAME: out },
  });
  if (!existsSync(out)) return { passed: 0, failed: 1, skipped: 0, exit: r.status ?? 1 };
  const s = JSON.parse(readFileSync(out, "utf8")).stats ?? {};
  return {
    passed: s.expected ?? 0,
    failed: (s.unexpected ?? 0) + (s.flaky ?? 0),
    skipped: s.skipped ?? 0,
    exit: r.status ?? 1,
  };
}

const results = [];
for (const suite of selected) {
  const { needs, what } = SUITES[suite];
  console.log(`\n=== suite ${suite}: ${what}`);
  const missing = missingPrerequisites(needs);
  if (missing.length) {
    console.error(
      `suite ${suite} FAILED: missing prerequisites: ${missing.join(", ")} (.ci/run installs them)`,
    );
    results.push({ suite, passed: 0, failed: 1, skipped: 0, exit: 1, note: `missing ${missing.join(", ")}` });
    continue;
  }
  const started = Date.now();
  const r = suite === "e2e" ? runPlaywright() : runVitest(suite);
  // A runner that exits non-zero with every test green (a crash in teardown, say) still fails the suite.
  if (r.exit !== 0 && r.failed === 0) r.failed = 1;
  // Skips are failures here: CI must not pass a suite that did not run.
  if (r.skipped > 0) r.failed += r.skipped;
  if (r.passed + r.failed === 0) {
    r.failed = 1;
    r.note = "no tests ran";
  }
  results.push({ suite, ...r, seconds: Math.round((Date.now() - started) / 1000) });
}
rmSync(work, { recursive: true, force: true });

console.log("\n=== summary");
for (const r of results) {
  const extra = r.note ? ` (${r.note})` : "";
  console.log(
    `${r.suite.padEnd(5)} ${String(r.passed).padStart(4)} passed ${String(r.failed).padStart(3)} failed${r.seconds !== undefined ? `  ${r.seconds}s` : ""}${extra}`,
  );
}
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
