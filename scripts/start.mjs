#!/usr/bin/env node
// `npm start [-- --no-local-agent]`: builds the web UI when no build exists, then runs the control
// plane (embedded PostgreSQL unless DATABASE_URL is set). Node runs server.ts directly (not through
// the tsx wrapper) so signals reach the server itself.
import { spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const web = `${root}apps/web`;

if (!existsSync(`${web}/.next/BUILD_ID`)) {
  console.log("switchyard: building the web UI (first start only)...");
  const build = spawnSync("npx", ["next", "build"], { cwd: web, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const server = spawn(process.execPath, ["--import", "tsx", "server.ts", ...process.argv.slice(2)], {
  cwd: web,
  stdio: "inherit",
  env: { NODE_ENV: "production", ...process.env },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
