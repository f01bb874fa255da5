/** Browser sockets (`/ui`) for int tests: opened with a cookie or a token, and awaited until they end. */
import { io as connect, type Socket } from "socket.io-client";

/** A /ui socket on `base`, resolved once connected (rejected on a refusal); pushed to `opened` for cleanup. */
export function openUiSocket(
  base: string,
  credentials: { cookie?: string; token?: string },
  opened: Socket[],
): Promise<Socket> {
  const socket = connect(`${base}/ui`, {
    transports: ["websocket"],
    reconnection: false,
    forceNew: true,
    ...(credentials.cookie ? { extraHeaders: { cookie: credentials.cookie } } : {}),
    ...(credentials.token ? { auth: { token: credentials.token } } : {}),
  });
  opened.push(socket);
  return new Promise((resolve, reject) => {
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", reject);
  });
}

/** Resolves with the reason once the socket is closed; rejects if it is still open after `timeoutMs`. */
export const disconnected = (socket: Socket, timeoutMs = 3000) =>
  new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.once("disconnect", (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
