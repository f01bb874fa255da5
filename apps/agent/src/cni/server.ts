import { chmod, lstat, mkdir, rm } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { dirname } from "node:path";
import { CNI_LATEST_VERSION, CniErrorCode, type CniReply, cniError } from "@switchyard/protocol";
import type { Logger } from "../logger";

/** A frame larger than this is refused (a network config is a few KB). */
const MAX_FRAME_BYTES = 1_000_000;
/** A plugin that sends nothing for this long is dropped. */
const IDLE_MS = 10_000;

export interface CniServer {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * The agent's end of the plugin's unix socket: root's only (socket 0600, in a 0700 directory when it makes one), one JSON line in,
 * one JSON line out per connection. Whatever was at the path before (a socket left by a killed agent) is
 * replaced; anything that is not a socket is refused, so a wrong path cannot delete a file.
 */
export async function startCniServer(input: {
  path: string;
  handle: (frame: unknown) => Promise<CniReply>;
  logger: Logger;
}): Promise<CniServer> {
  const { path, logger } = input;
  // A directory it creates is 0700 (whatever the umask); an existing one (/run) is left as it is: the
  // socket's own 0600 is what keeps others out.
  const created = await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  if (created !== undefined) await chmod(dirname(path), 0o700);
  const existing = await lstat(path).catch(() => null);
  if (existing) {
    if (!existing.isSocket())
      throw new Error(`--cni-socket ${path} exists and is not a socket; remove it or choose another path`);
    await rm(path);
  }
  const sockets = new Set<Socket>();
  // Half-open: the plugin ends its side after the frame and still reads the answer.
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.setTimeout(IDLE_MS, () => socket.destroy());
    let buffer = "";
    let answered = false;
    const answer = async () => {
      if (answered) return;
      answered = true;
      socket.setTimeout(0);
      let frame: unknown = null;
      try {
        frame = JSON.parse(buffer);
      } catch {
        frame = null;
      }
      const reply: CniReply =
        frame === null
          ? {
              ok: false,
              error: cniError(
                CNI_LATEST_VERSION,
                CniErrorCode.decodeFailure,
                "the plugin's frame is not JSON",
              ),
            }
          : await input.handle(frame);
      if (!reply.ok) logger.warn("CNI request refused", { code: reply.error.code, msg: reply.error.msg });
      if (!socket.destroyed) socket.end(`${JSON.stringify(reply)}\n`);
    };
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      if (buffer.length > MAX_FRAME_BYTES) {
        logger.warn("CNI frame too large, dropped", { bytes: buffer.length });
        socket.destroy();
        return;
      }
      if (buffer.includes("\n")) void answer();
    });
    socket.on("end", () => void answer());
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(path, () => {
      server.off("error", reject);
      resolve();
    });
  });
  // Until this chmod the socket has the umask's mode (0755 with 022: nobody else may write, so connect).
  await chmod(path, 0o600);
  logger.info("CNI socket listening", { path });
  return {
    path,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(path, { force: true });
    },
  };
}
