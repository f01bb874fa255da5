/** The plugin bundle's entry: environment and stdin in, the answer on stdout, exit 0 or 1 (SPEC.md). */
import { runPlugin } from "./plugin";

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

void (async () => {
  const outcome = await runPlugin({ env: process.env, stdin: await readStdin() });
  process.stdout.write(outcome.stdout, () => process.exit(outcome.exitCode));
})();
