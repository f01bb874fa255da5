#!/usr/bin/env node
// `npm run bench -- NAME [ARGS...]`: runs one benchmark; each prints JSON on stdout.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const BENCHES = {
  ipam: "scripts/bench/ipam.ts",
  attach: "scripts/bench/attach.ts",
  leaks: "scripts/bench/leaks.ts",
  netlink: "scripts/bench/netlink.ts",
  ovsdb: "scripts/bench/ovsdb.ts",
  "host-scale": "scripts/bench/host-scale.ts",
  cli: "scripts/bench/cli.ts",
  "sign-in": "scripts/bench/sign-in.ts",
  cni: "scripts/bench/cni.ts",
  ui: "scripts/bench/ui.ts",
};

const [name, ...args] = process.argv.slice(2);
const file = name ? BENCHES[name] : undefined;
if (!file) {
  console.error(`usage: npm run bench -- ${Object.keys(BENCHES).join("|")} [args]`);
  process.exit(2);
}
if (!existsSync(`${root}${file}`)) {
  console.error(`benchmark ${name} is not written yet (${file})`);
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--import", "tsx", file, ...args], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
