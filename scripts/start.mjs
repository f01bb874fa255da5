#!/usr/bin/env node
// `npm start [-- --no-local-agent]`: builds the web UI when it is missing or stale, then runs the control
// plane (embedded PostgreSQL unless DATABASE_URL is set). Node runs server.ts directly (not through
// the tsx wrapper) so signals reach the server itself.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ensureWebBuild } from "./web-build.mjs";

const web = fileURLToPath(new URL("../apps/web", import.meta.url));
ensureWebBuild();

const server = spawn(process.execPath, ["--import", "tsx", "server.ts", ...process.argv.slice(2)], {
  cwd: web,
  stdio: "inherit",
  env: { NODE_ENV: "production", ...process.env },
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
