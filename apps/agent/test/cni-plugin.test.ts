/**
 * The plugin and the agent's socket, for real: the bundled plugin run as a runtime runs it (environment +
 * stdin, a separate process), the agent's unix socket server (root-only modes), the frame each way.
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type CniReply, cniErrorSchema, cniVersionResultSchema } from "@switchyard/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildBundle } from "../../../scripts/bundle/build.mjs";
import { startCniServer } from "../src/cni/server";
import { createLogger } from "../src/logger";

let dir = "";
let plugin = "";
const logger = createLogger({ level: "error", write: () => {} });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "cni-plugin-"));
  plugin = join(process.cwd(), (await buildBundle("cni")).out);
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Runs the plugin binary like a runtime: env + stdin, stdout and exit code back. */
function runPlugin(
  env: Record<string, string>,
  stdin: string,
): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(plugin, [], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
    let stdout = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ stdout, code }));
    child.stdin.end(stdin);
  });
}

describe("the plugin binary", () => {
  it("VERSION needs no agent", async () => {
    const out = await runPlugin({ CNI_COMMAND: "VERSION" }, '{"cniVersion":"1.0.0"}');
    expect(out.code).toBe(0);
    expect(cniVersionResultSchema.parse(JSON.parse(out.stdout))).toEqual({
      cniVersion: "1.1.0",
      supportedVersions: ["0.4.0", "1.0.0", "1.1.0"],
    });
  });

  it("no agent: code 11 naming the socket, exit 1; stdin that is not JSON: code 6", async () => {
    const socket = join(dir, "absent.sock");
    const down = await runPlugin(
      { CNI_COMMAND: "ADD", CNI_CONTAINERID: "c1" },
      JSON.stringify({
        cniVersion: "0.4.0",
        name: "n",
        type: "switchyard",
        network: "v",
        agentSocket: socket,
      }),
    );
    expect(down.code).toBe(1);
    const error = cniErrorSchema.parse(JSON.parse(down.stdout));
    expect(error).toMatchObject({ cniVersion: "0.4.0", code: 11 });
    expect(error.msg).toContain(socket);
    const garbled = await runPlugin({ CNI_COMMAND: "ADD" }, "{");
    expect(cniErrorSchema.parse(JSON.parse(garbled.stdout)).code).toBe(6);
    const none = await runPlugin({}, "{}");
    expect(cniErrorSchema.parse(JSON.parse(none.stdout)).code).toBe(4);
  });

  it("forwards CNI_* and stdin to the agent's socket (0700 dir, 0600 socket) and prints its answer", async () => {
    const seen: unknown[] = [];
    const path = join(dir, "run", "cni.sock");
    const server = await startCniServer({
      path,
      logger,
      handle: async (frame): Promise<CniReply> => {
        seen.push(frame);
        return { ok: true, output: { cniVersion: "1.0.0", ips: [] } };
      },
    });
    try {
      expect((await stat(join(dir, "run"))).mode & 0o777).toBe(0o700);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      const config = JSON.stringify({
        cniVersion: "1.0.0",
        name: "n",
        type: "switchyard",
        network: "v",
        agentSocket: path,
      });
      const env = {
        CNI_COMMAND: "ADD",
        CNI_CONTAINERID: "c1",
        CNI_NETNS: "/run/netns/x",
        CNI_IFNAME: "eth0",
        CNI_ARGS: "IgnoreUnknown=1;K8S_POD_NAME=p",
        CNI_PATH: "/opt/cni/bin",
        UNRELATED: "not forwarded",
      };
      const out = await runPlugin(env, config);
      expect(out).toEqual({ stdout: '{"cniVersion":"1.0.0","ips":[]}\n', code: 0 });
      const { UNRELATED: _, ...forwarded } = env;
      expect(seen).toEqual([{ v: 1, env: forwarded, config }]);
    } finally {
      await server.close();
    }
    // A socket left behind (killed agent) is replaced; a regular file at the path is refused.
    const again = await startCniServer({
      path,
      logger,
      handle: async () => ({ ok: true, output: undefined }),
    });
    const delOut = await runPlugin(
      { CNI_COMMAND: "DEL" },
      JSON.stringify({ cniVersion: "1.0.0", agentSocket: path }),
    );
    expect(delOut).toEqual({ stdout: "", code: 0 });
    await again.close();
    const file = join(dir, "a-file");
    await writeFile(file, "keep me");
    await expect(
      startCniServer({ path: file, logger, handle: async () => ({ ok: true, output: null }) }),
    ).rejects.toThrow(/is not a socket/);
    expect(await readFile(file, "utf8")).toBe("keep me");
  });
});
