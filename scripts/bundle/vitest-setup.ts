// Test suites that run yardctl or the agent as programs run their bundles: rebuilt here, once per run
// (under a second), so a test never passes or fails on a bundle older than the sources.
import { buildBundles } from "./build.mjs";

export default async function setup(): Promise<void> {
  await buildBundles();
}
