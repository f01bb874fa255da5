// Builds the Next.js UI when no build exists or a source it bundles is newer than the build.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const web = join(root, "apps/web");
// What the browser bundle and the server-rendered pages are made of.
const SOURCES = [
  "apps/web/app",
  "apps/web/src/ui",
  "apps/web/next.config.ts",
  "packages/protocol/src",
  "packages/ipam/src",
  "package-lock.json",
];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

export function ensureWebBuild() {
  const buildId = join(web, ".next/BUILD_ID");
  const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const changedAt = Math.max(...SOURCES.map((s) => newestMtime(join(root, s))));
  if (builtAt > changedAt) return;
  console.log(
    builtAt
      ? "switchyard: UI sources changed, rebuilding..."
      : "switchyard: building the UI (first start)...",
  );
  const build = spawnSync("npx", ["next", "build"], { cwd: web, stdio: "inherit" });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
