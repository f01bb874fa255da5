import type { OutlookSettings } from "@switchyard/control";
import type { RequestContext } from "./context";

const DAY_MS = 86_400_000;

/** The pool forecasts' settings from the API config (POOL_EXHAUSTION_HORIZON). */
export const outlookSettingsOf = (ctx: RequestContext): OutlookSettings => ({
  horizonMs: ctx.deps.config.poolExhaustionHorizonMs ?? DAY_MS,
});
