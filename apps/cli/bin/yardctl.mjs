#!/usr/bin/env node
// yardctl from a checkout: the bundle (dist/yardctl.cjs, what the package bin runs) when it is as new as
// every source it was built from, else the TypeScript sources through tsx (a slower start, but never
// older code than what is on disk). SWITCHYARD_FROM_SOURCE=1 always runs the sources.
import { fileURLToPath } from "node:url";
import { staleInput } from "../../../scripts/bundle/fresh.mjs";

const bundle = new URL("../dist/yardctl.cjs", import.meta.url);
if (process.env.SWITCHYARD_FROM_SOURCE !== "1" && staleInput(fileURLToPath(bundle)) === null) {
  await import(bundle.href);
} else {
  const { register } = await import("tsx/esm/api");
  register();
  await import("../src/main.ts");
}
