import type { Readable } from "node:stream";

export interface TextSink {
  write(chunk: string): unknown;
}

/** Where a command reads and writes; the real process streams, or buffers in tests. */
export interface Io {
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly stdin: Readable;
  /** True when stdin is a terminal we may prompt on. */
  readonly stdinIsTTY: boolean;
}

export function writeLine(sink: TextSink, text = ""): void {
  sink.write(`${text}\n`);
}

export function writeJson(sink: TextSink, value: unknown): void {
  sink.write(`${JSON.stringify(value, null, 2)}\n`);
}
