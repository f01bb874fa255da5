import { parseArgs } from "node:util";
import { destroyLab } from "./down";
import { enrollLab } from "./enroll";
import { createLab } from "./lab";
import { loadState, statePath } from "./state";

const USAGE = `usage:
  npm run lab -- up --hosts N [--prefix P] [--routed] [--docker] [--server URL --admin-token T [--agent-inside]]
  npm run lab -- down --prefix P
  npm run lab -- show --prefix P`;

function fail(message: string, code = 2): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      hosts: { type: "string", default: "2" },
      prefix: { type: "string" },
      routed: { type: "boolean", default: false },
      docker: { type: "boolean", default: false },
      server: { type: "string" },
      "admin-token": { type: "string" },
      "agent-inside": { type: "boolean", default: false },
    },
  });
  const command = positionals[0];
  if (command === "up") {
    if (values.server && !values["admin-token"])
      fail("--server needs --admin-token (an API token allowed to create hosts)");
    const lab = await createLab({
      hosts: Number.parseInt(values.hosts ?? "2", 10),
      prefix: values.prefix,
      routed: values.routed,
      docker: values.docker,
      log: (line) => process.stdout.write(`${line}\n`),
    });
    if (values.server) {
      await enrollLab(
        lab.state,
        values.server,
        values["admin-token"] as string,
        (line) => process.stdout.write(`${line}\n`),
        { mode: values["agent-inside"] ? "inside" : "root" },
      );
    }
    process.stdout.write(`lab ${lab.prefix} up; state ${statePath(lab.prefix)}\n`);
    process.stdout.write(`remove with: npm run lab -- down --prefix ${lab.prefix}\n`);
    return;
  }
  if (command === "down") {
    if (!values.prefix) fail("down needs --prefix");
    const removed = await destroyLab(values.prefix);
    process.stdout.write(`${removed.length ? removed.join("\n") : "nothing to remove"}\n`);
    return;
  }
  if (command === "show") {
    if (!values.prefix) fail("show needs --prefix");
    const state = await loadState(values.prefix);
    if (!state) fail(`no lab ${values.prefix}`, 1);
    process.stdout.write(`${JSON.stringify(state, null, 2)}\n`);
    return;
  }
  fail(command ? `unknown command ${command}` : "missing command");
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
