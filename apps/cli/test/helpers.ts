import { Readable } from "node:stream";
import type { FetchFn } from "../src/api";
import type { ResolvedConfig } from "../src/config";
import { loadCommands } from "../src/load";
import { run } from "../src/run";

export interface RecordedCall {
  readonly method: string;
  readonly path: string;
  /** The query string, "?a=b" or "". */
  readonly search: string;
  readonly headers: Headers;
  readonly body: unknown;
}

export type Handler = (call: RecordedCall) => Response;

/** A fetch that records every call and answers with `handler` (paths relative to the server root). */
export function fakeFetch(handler: Handler): { fetch: FetchFn; calls: RecordedCall[] } {
  const calls: RecordedCall[] = [];
  const fetch: FetchFn = async (url, init) => {
    const parsed = new URL(url);
    const body = typeof init?.body === "string" ? JSON.parse(init.body) : undefined;
    const call = {
      method: init?.method ?? "GET",
      path: parsed.pathname,
      search: parsed.search,
      headers: new Headers(init?.headers),
      body,
    };
    calls.push(call);
    return handler(call);
  };
  return { fetch, calls };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

export function apiError(status: number, code: string, message: string, field?: string): Response {
  return json(status, { error: field ? { code, message, field } : { code, message } });
}

export const loggedIn: ResolvedConfig = {
  path: "/nonexistent/switchyard/cli.json",
  url: "http://yard.test:3000",
  token: "syt_test",
  urlSource: "file",
  tokenSource: "file",
  savedTokenId: "t_saved",
  fileError: undefined,
};

export const loggedOut: ResolvedConfig = {
  ...loggedIn,
  url: undefined,
  token: undefined,
  urlSource: "none",
  tokenSource: "none",
};

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface InvokeOptions {
  readonly config?: ResolvedConfig;
  readonly fetch?: FetchFn;
  readonly stdin?: string;
  readonly now?: Date;
}

/** Runs the CLI in-process with every real command, captured output and a fake fetch. */
export async function invoke(argv: readonly string[], options: InvokeOptions = {}): Promise<CliResult> {
  let stdout = "";
  let stderr = "";
  const code = await run(argv, {
    io: {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
      stdinIsTTY: false,
    },
    config: options.config ?? loggedIn,
    fetch:
      options.fetch ??
      (async () => {
        throw new Error("no network in this test");
      }),
    hostname: "testbox",
    version: "0.1.0",
    commands: await loadCommands(),
    now: () => options.now ?? new Date("2026-11-27T22:00:00Z"),
  });
  return { code, stdout, stderr };
}

export const host = {
  id: "h_1",
  name: "web-1",
  description: "front end",
  status: "online" as const,
  hostname: "web-1.lan",
  agentVersion: "0.1.0",
  lastSeenAt: "2026-11-27T21:59:50Z",
  createdAt: "2026-11-27T20:00:00Z",
  revokedAt: null,
};
