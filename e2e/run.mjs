#!/usr/bin/env node
// Runs the Playwright suite inside a network namespace of its own (`<prefix>ctl`), so the control
// plane, Chromium and the agents' hosts (further namespaces joined by veth pairs) talk only over
// addresses in namespaces this run created. The namespace is removed afterwards, also on failure.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ensureWebBuild } from "../scripts/web-build.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const prefix = `sye${process.pid.toString(36)}`;
const ctl = `${prefix}ctl`;
const ip = (...args) => spawnSync("ip", args, { stdio: "inherit", timeout: 10_000 }).status === 0;

ensureWebBuild();

let status = 1;
try {
  if (!ip("netns", "add", ctl) || !ip("-n", ctl, "link", "set", "lo", "up"))
    throw new Error("cannot create namespace");
  const r = spawnSync(
    "ip",
    [
      "netns",
      "exec",
      ctl,
      "npx",
      "playwright",
      "test",
      "-c",
      "e2e/playwright.config.ts",
      ...process.argv.slice(2),
    ],
    { cwd: root, stdio: "inherit", env: { ...process.env, E2E_PREFIX: prefix, E2E_CTL_NETNS: ctl } },
  );
  status = r.status ?? 1;
} finally {
  // Host namespaces are removed by the tests; anything they left behind with this run's prefix goes too.
  const list = spawnSync("ip", ["netns", "list"], { encoding: "utf8" }).stdout ?? "";
  for (const line of list.split("\n")) {
    const name = line.split(" ")[0];
    if (name?.startsWith(prefix)) ip("netns", "del", name);
  }
}
process.exit(status);
