#!/usr/bin/env node
// Bundles yardctl and switchyard-agent to one ESM file each (`dist/*.mjs`, what their package bins run),
// so they start in about Node's own start time instead of transpiling TypeScript on every run.
// `node scripts/bundle/build.mjs [cli|agent]...`; run by `npm install` (postinstall), `npm run build`
// and the test suites' global setup. Each bundle records its inputs (`dist/*.inputs.json`) so a bundle
// older than its sources is detected (see fresh.mjs).
import { chmod, mkdir, readdir, rename, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { inputsFileOf } from "./fresh.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));

export const BUNDLES = {
  cli: { entry: "apps/cli/src/main.ts", out: "apps/cli/dist/yardctl.mjs" },
  agent: { entry: "apps/agent/src/main.ts", out: "apps/agent/dist/switchyard-agent.mjs" },
};

/**
 * yardctl finds its command groups by listing src/commands/ at run time; a bundle has no directory to
 * list, so the build lists it instead and imports every group statically (adding a file still adds a
 * command, with no other edit).
 */
const staticCommands = {
  name: "yardctl-static-commands",
  setup(b) {
    b.onResolve({ filter: /^\.\/load$/ }, (args) =>
      args.importer.endsWith(join("apps", "cli", "src", "main.ts"))
        ? { path: "commands", namespace: "yardctl-commands" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "yardctl-commands" }, async () => {
      const dir = join(root, "apps/cli/src/commands");
      const files = (await readdir(dir))
        .filter((f) => /\.[cm]?[tj]s$/.test(f) && !f.endsWith(".d.ts"))
        .sort();
      const lines = files.map((f, i) => `import * as m${i} from "./commands/${f}";`);
      lines.push(
        `import { assertUniquePaths } from "./resolve";`,
        `const groups = [${files.map((f, i) => `[${JSON.stringify(f)}, m${i}]`).join(", ")}];`,
        "export async function loadCommands() {",
        "  const commands = [];",
        "  for (const [file, mod] of groups) {",
        "    if (!Array.isArray(mod.commands))",
        "      throw new Error('src/commands/' + file + \" must export 'commands: Command[]'\");",
        "    commands.push(...mod.commands);",
        "  }",
        "  assertUniquePaths(commands);",
        "  return commands;",
        "}",
      );
      return { contents: lines.join("\n"), loader: "js", resolveDir: join(root, "apps/cli/src") };
    });
  },
};

/**
 * zod hangs every translation of its messages off the `z` namespace (`z.locales`), so bundling `z`
 * bundles all of them: half of yardctl's bytes, parsed on every start. Only English is used (the
 * default, imported by zod itself), so the namespace gets English alone.
 */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      args.importer.includes(`${join("node_modules", "zod")}/`)
        ? { path: join(dirname(args.importer), "../locales/index.js"), namespace: "zod-en" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-en" }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      loader: "js",
      resolveDir: dirname(args.path),
    }));
  },
};

export async function buildBundle(name) {
  const spec = BUNDLES[name];
  if (!spec) throw new Error(`unknown bundle ${name} (${Object.keys(BUNDLES).join(", ")})`);
  const out = join(root, spec.out);
  // Taken before reading any source: an edit made while building leaves the bundle stale, not current.
  const builtAt = Date.now();
  const result = await build({
    absWorkingDir: root,
    stdin: {
      // The guard first: ESM bundles keep import order, so it runs before the program's own code.
      contents: `import "./scripts/bundle/guard.mjs";\nimport "./${spec.entry}";\n`,
      resolveDir: root,
      sourcefile: "bundle-entry.mjs",
      loader: "js",
    },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.19",
    outfile: out,
    write: false,
    metafile: true,
    sourcemap: "linked",
    legalComments: "none",
    minify: true,
    keepNames: false,
    logLevel: "warning",
    // Some dependencies (ws, under socket.io-client) are CommonJS and call require(): give them one.
    banner: {
      js: '#!/usr/bin/env node\nimport { createRequire as __sy_createRequire } from "node:module";\nconst require = __sy_createRequire(import.meta.url);',
    },
    // Optional native speed-ups of ws; it falls back to JavaScript when they are absent.
    external: ["bufferutil", "utf-8-validate"],
    plugins: name === "cli" ? [staticCommands, zodEnglishOnly] : [zodEnglishOnly],
  });
  const files = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes("node_modules/") && !p.includes(":") && p !== "bundle-entry.mjs")
    .concat("scripts/bundle/build.mjs")
    .sort();
  const dirs = [...new Set(files.map((f) => dirname(f)))].sort();
  await mkdir(dirname(out), { recursive: true });
  for (const file of result.outputFiles) {
    const tmp = `${file.path}.${process.pid}.tmp`;
    await writeFile(tmp, file.contents);
    if (file.path === out) await chmod(tmp, 0o755);
    await rename(tmp, file.path);
  }
  const record = { builtAt, root: relative(dirname(out), root) || ".", entry: spec.entry, dirs, files };
  const inputs = inputsFileOf(out);
  await writeFile(`${inputs}.${process.pid}.tmp`, `${JSON.stringify(record, null, 1)}\n`);
  await rename(`${inputs}.${process.pid}.tmp`, inputs);
  return { name, out: spec.out, inputs: files.length, ms: Date.now() - builtAt };
}

export async function buildBundles(names = Object.keys(BUNDLES)) {
  return Promise.all(names.map(buildBundle));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const names = process.argv.slice(2);
  const built = await buildBundles(names.length > 0 ? names : undefined);
  for (const b of built) console.log(`bundled ${b.out} (${b.inputs} sources, ${b.ms} ms)`);
}
