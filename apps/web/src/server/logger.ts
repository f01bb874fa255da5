import { type Logger, pino } from "pino";
import type { Config } from "./config";

export type { Logger };

/** JSON logs on stdout, one object per line. */
export function createLogger(config: Pick<Config, "logLevel">): Logger {
  return pino({ level: config.logLevel, base: { service: "switchyard-control" } });
}
