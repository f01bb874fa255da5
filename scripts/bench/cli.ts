/**
 * Start-up benchmark of the bundled programs: `yardctl --version`, `switchyard-agent --version` and
 * `--help`, next to `node -e ''` measured in the same run (the floor: Node's own start). Prints JSON
 * {runs, nodeMs: {p50, p90}, cli: {p50, p90, ratio}, ...}; ratio is p50 / node's p50 (target <= 2).
 *
 *   tsx scripts/bench/cli.ts [--runs 21] [--tsx]
 *
 * Rebuilds the bundles first (so it measures the current sources). The commands run round-robin, one
 * at a time, so load from anything else on the machine falls on all of them alike. `--tsx` also times
 * the development launcher (TypeScript transpiled by tsx on every run) for comparison.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BUNDLES, buildBundles } from "../bundle/build.mjs";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "21" }, tsx: { type: "boolean", default: false } },
});
const RUNS = Number(values.runs);
const root = fileURLToPath(new URL("../..", import.meta.url));
const cli = join(root, BUNDLES.cli.out);
const agent = join(root, BUNDLES.agent.out);

const built = await buildBundles();

const commands: Record<string, string[]> = {
  node: ["-e", ""],
  cli: [cli, "--version"],
  agentVersion: [agent, "--version"],
  agentHelp: [agent, "--help"],
};
// The launcher with SWITCHYARD_FROM_SOURCE=1: how every run started before the bundles.
if (values.tsx) commands.cliTsx = [join(root, "apps/cli/bin/yardctl.mjs"), "--version"];

function timeOnce(args: string[]): number {
  const env = { ...process.env, SWITCHYARD_FROM_SOURCE: "1" };
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8", env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
}

const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
for (const args of Object.values(commands)) timeOnce(args); // warm the file cache
for (let i = 0; i < RUNS; i++)
  for (const [name, args] of Object.entries(commands)) samples[name]?.push(timeOnce(args));

const pct = (xs: number[], p: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const round = (n: number) => Math.round(n * 10) / 10;
const nodeP50 = pct(samples.node ?? [], 50);
const stats = (name: string) => {
  const xs = samples[name] ?? [];
  const p50 = pct(xs, 50);
  return { p50: round(p50), p90: round(pct(xs, 90)), ratio: Math.round((p50 / nodeP50) * 100) / 100 };
};

console.log(
  JSON.stringify(
    {
      runs: RUNS,
      node: process.version,
      nodeMs: { p50: round(nodeP50), p90: round(pct(samples.node ?? [], 90)) },
      cliVersionMs: stats("cli"),
      agentVersionMs: stats("agentVersion"),
      agentHelpMs: stats("agentHelp"),
      ...(values.tsx ? { cliTsxVersionMs: stats("cliTsx") } : {}),
      targetRatio: 2,
      bundles: built.map((b) => ({ name: b.name, file: b.out, sources: b.inputs, buildMs: b.ms })),
    },
    null,
    2,
  ),
);
