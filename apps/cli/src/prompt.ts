import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { Writable } from "node:stream";
import { CliError } from "./errors";
import type { TextSink } from "./io";

/** Asks a question on a terminal; the prompt goes to `output` (stderr) so stdout stays clean. */
export function promptLine(question: string, input: Readable, output: TextSink): Promise<string> {
  return ask(question, input, output, false);
}

/** Like promptLine, without echoing what is typed. */
export function promptHidden(question: string, input: Readable, output: TextSink): Promise<string> {
  return ask(question, input, output, true);
}

/** Reads all of stdin and drops one trailing newline (`echo pw | yardctl login --password-stdin`). */
export async function readAllStdin(input: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

function ask(question: string, input: Readable, output: TextSink, hidden: boolean): Promise<string> {
  let muted = false;
  const echo = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      if (!muted) output.write(chunk.toString());
      callback();
    },
  });
  const rl = createInterface({ input, output: echo, terminal: true });
  return new Promise<string>((resolve, reject) => {
    let answered = false;
    rl.on("SIGINT", () => rl.close());
    rl.on("close", () => {
      if (hidden) output.write("\n");
      if (!answered) reject(new CliError("cancelled"));
    });
    rl.question(question, (answer) => {
      answered = true;
      resolve(answer);
      rl.close();
    });
    muted = hidden;
  });
}
