// Runs first inside every bundle: a bundle older than its sources says so on stderr instead of quietly
// running yesterday's code (`npm run build` or `npm install` rebuilds it).
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { staleInput } from "./fresh.mjs";

const self = fileURLToPath(import.meta.url);
const changed = staleInput(self);
if (changed) {
  process.stderr.write(
    `${basename(self, ".bundle.cjs")}: warning: this build is older than ${changed}; run \`npm run build:bundles\`\n`,
  );
}
