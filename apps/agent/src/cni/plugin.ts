/**
 * The `switchyard` CNI plugin (bundled alone to dist/switchyard-cni.bundle.cjs; `switchyard-agent
 * install-cni` copies it to /opt/cni/bin/switchyard). A runtime execs it once per container and command,
 * so it does as little as it can: VERSION here, everything else handed whole (environment + stdin) to the
 * local agent over its unix socket, whose answer it prints. It creates nothing itself, so an agent that is
 * down or an attach that fails leaves nothing half made. Node builtins and cni-spec.ts only: no zod, no
 * socket.io, no database.
 */
import { connect } from "node:net";
import {
  CNI_ENV_KEYS,
  CNI_LATEST_VERSION,
  CNI_SUPPORTED_VERSIONS,
  CniErrorCode,
  type CniErrorObject,
  type CniFrame,
  cniError,
  DEFAULT_CNI_SOCKET,
} from "@switchyard/protocol/cni-spec";

export interface PluginIo {
  env: Readonly<Record<string, string | undefined>>;
  stdin: string;
}

export interface PluginOutcome {
  stdout: string;
  exitCode: 0 | 1;
}

const ok = (output: unknown): PluginOutcome => ({
  stdout: output === undefined ? "" : `${JSON.stringify(output)}\n`,
  exitCode: 0,
});
const fail = (error: CniErrorObject): PluginOutcome => ({
  stdout: `${JSON.stringify(error)}\n`,
  exitCode: 1,
});

/** The few fields the plugin itself reads from the config: where the agent is, and the error version. */
function peek(stdin: string): { cniVersion: string; agentSocket: string; waitMs: number } | CniErrorObject {
  let config: unknown;
  try {
    config = JSON.parse(stdin);
  } catch (error) {
    return cniError(
      CNI_LATEST_VERSION,
      CniErrorCode.decodeFailure,
      "the network configuration on stdin is not JSON",
      (error as Error).message,
    );
  }
  const c = (config ?? {}) as { cniVersion?: unknown; agentSocket?: unknown; timeoutMs?: unknown };
  const cniVersion = typeof c.cniVersion === "string" ? c.cniVersion : CNI_LATEST_VERSION;
  const agentSocket =
    typeof c.agentSocket === "string" && c.agentSocket !== "" ? c.agentSocket : DEFAULT_CNI_SOCKET;
  // The agent gives up on an ADD after timeoutMs (and detaches); this is only for an agent that hangs.
  const waitMs = (typeof c.timeoutMs === "number" && c.timeoutMs > 0 ? c.timeoutMs : 60_000) + AGENT_GRACE_MS;
  return { cniVersion, agentSocket, waitMs };
}

/** Beyond the config's timeoutMs, how long the plugin waits for an agent that accepted the call. */
const AGENT_GRACE_MS = 30_000;

/** One request, one answer line; the agent closes after answering. */
function askAgent(
  socketPath: string,
  frame: CniFrame,
  cniVersion: string,
  waitMs: number,
): Promise<PluginOutcome> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    let buffer = "";
    let done = false;
    const finish = (outcome: PluginOutcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      const msg = `the Switchyard agent at ${socketPath} did not answer within ${waitMs} ms; check its log, then retry`;
      finish(fail(cniError(cniVersion, CniErrorCode.tryAgainLater, msg)));
    }, waitMs);
    socket.setEncoding("utf8");
    socket.on("connect", () => socket.end(`${JSON.stringify(frame)}\n`));
    socket.on("data", (chunk: string) => {
      buffer += chunk;
    });
    socket.on("end", () => {
      const line = buffer.trim();
      let reply: { ok?: unknown; output?: unknown; error?: CniErrorObject };
      try {
        reply = JSON.parse(line) as typeof reply;
      } catch {
        return finish(
          fail(
            cniError(
              cniVersion,
              CniErrorCode.ioFailure,
              `the Switchyard agent at ${socketPath} gave no readable answer`,
              line.slice(0, 500),
            ),
          ),
        );
      }
      finish(
        reply.ok === true
          ? ok(reply.output)
          : fail(
              reply.error ??
                cniError(cniVersion, CniErrorCode.ioFailure, "the agent refused without a reason"),
            ),
      );
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      const why =
        error.code === "ENOENT" || error.code === "ECONNREFUSED"
          ? `the Switchyard agent is not running on this host (nothing listens on ${socketPath}); start switchyard-agent, then retry`
          : error.code === "EACCES"
            ? `no permission to reach the Switchyard agent at ${socketPath} (the socket is root's only); run the runtime as root`
            : `cannot reach the Switchyard agent at ${socketPath}: ${error.message}`;
      finish(fail(cniError(cniVersion, CniErrorCode.tryAgainLater, why, error.code)));
    });
  });
}

export async function runPlugin(io: PluginIo): Promise<PluginOutcome> {
  const command = io.env.CNI_COMMAND;
  if (command === "VERSION")
    return ok({ cniVersion: CNI_LATEST_VERSION, supportedVersions: [...CNI_SUPPORTED_VERSIONS] });
  if (!command) {
    return fail(
      cniError(
        CNI_LATEST_VERSION,
        CniErrorCode.invalidEnvironment,
        "CNI_COMMAND is not set: this is a CNI plugin, run by a container runtime (see the Switchyard README, CNI)",
      ),
    );
  }
  const peeked = peek(io.stdin);
  if ("code" in peeked) return fail(peeked);
  const env: CniFrame["env"] = {};
  for (const key of CNI_ENV_KEYS) {
    const value = io.env[key];
    if (value !== undefined) env[key] = value;
  }
  return askAgent(peeked.agentSocket, { v: 1, env, config: io.stdin }, peeked.cniVersion, peeked.waitMs);
}
