// Is a bundle older than the sources it was built from? Shared by the bundles' start-up guard and the
// bin/ launchers, so an edited source is never hidden by a bundle built before the edit.
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";

/** Where the build records what a bundle is made of: `dist/NAME[.bundle].cjs` -> `dist/NAME.inputs.json`. */
export const inputsFileOf = (bundleFile) => bundleFile.replace(/(\.bundle)?\.cjs$/, ".inputs.json");

const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
};

/**
 * The first source (file, or directory for added/removed files) changed after the bundle was built,
 * "(never built)" when there is no bundle, or null when it is current. A bundle whose entry source is
 * absent (installed away from a checkout) is current by definition.
 */
export function staleInput(bundleFile) {
  let record;
  try {
    record = JSON.parse(readFileSync(inputsFileOf(bundleFile), "utf8"));
  } catch {
    return "(never built)";
  }
  if (mtime(bundleFile) === null) return "(never built)";
  const root = join(dirname(bundleFile), record.root);
  if (mtime(join(root, record.entry)) === null) return null;
  for (const path of [...record.dirs, ...record.files]) {
    const changed = mtime(join(root, path));
    if (changed === null || changed > record.builtAt) return path;
  }
  return null;
}
