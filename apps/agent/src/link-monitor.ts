import { type ChildProcess, spawn } from "node:child_process";
import type { Logger } from "./logger";

const RESTART_DELAY_MS = 5_000;

export interface LinkMonitorOptions {
  /** The managed host's named namespace (`--netns`), or undefined for the namespace the agent runs in. */
  netns: string | undefined;
  /** Called for every chunk of link or address events, with the interface names they mention. */
  onChange: (names: string[]) => void;
  logger: Logger;
}

export interface LinkMonitor {
  stop(): void;
}

/**
 * Interface names in `ip -o monitor link address` output: "25: syab12cd34h@if24: <...>",
 * "Deleted 25: ...", "25: eth1    inet 10.0.0.1/24 ...".
 */
export function monitoredNames(text: string): string[] {
  const names = new Set<string>();
  for (const line of text.split("\n")) {
    const m = /^(?:Deleted\s+)?(?:\[[A-Z_]+\]\s*)?\d+:\s+([^\s:@]+)/.exec(line.trim());
    if (m?.[1]) names.add(m[1]);
  }
  return [...names];
}

/** `ip -o monitor link address`, inside the managed namespace when there is one. */
export function monitorArgv(netns: string | undefined): string[] {
  const monitor = ["ip", "-o", "monitor", "link", "address"];
  return netns ? ["ip", "netns", "exec", netns, ...monitor] : monitor;
}

/**
 * Watches the host's links and addresses so a change (a veth created, an address removed) is reported
 * within a fraction of a second instead of at the next poll. Polling stays the safety net: if `ip
 * monitor` cannot run or exits, nothing breaks; it is restarted after a pause.
 */
export function startLinkMonitor(options: LinkMonitorOptions): LinkMonitor {
  let stopped = false;
  let child: ChildProcess | null = null;
  let restart: ReturnType<typeof setTimeout> | undefined;

  const start = () => {
    if (stopped) return;
    const [file, ...args] = monitorArgv(options.netns);
    if (!file) return;
    const proc = spawn(file, args, { stdio: ["ignore", "pipe", "ignore"] });
    child = proc;
    proc.stdout?.on("data", (chunk: Buffer) => options.onChange(monitoredNames(chunk.toString("utf8"))));
    proc.on("error", (error) => options.logger.warn("link monitor failed; polling only", { error }));
    proc.on("exit", (code, signal) => {
      child = null;
      if (stopped) return;
      options.logger.warn("link monitor exited; restarting it shortly", { code, signal });
      restart = setTimeout(start, RESTART_DELAY_MS);
    });
  };
  start();

  return {
    stop() {
      stopped = true;
      if (restart) clearTimeout(restart);
      child?.kill("SIGTERM");
    },
  };
}
