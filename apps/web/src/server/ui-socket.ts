import type { ServiceContext } from "@switchyard/control";
import { DomainError } from "@switchyard/control";
import type { ExtendedError, Socket } from "socket.io";
import { authenticateRequest } from "./api/context";
import type { ServerToUiEvents, UiSocketData } from "./hub";

type UiSocket = Socket<Record<string, never>, ServerToUiEvents, Record<string, never>, UiSocketData>;

/** `/ui` handshake: the browser's session cookie, or an API token in `auth.token`. */
export function authenticateUiSocket(services: ServiceContext) {
  return async (socket: UiSocket, next: (err?: ExtendedError) => void) => {
    const headers = new Headers();
    const cookie = socket.handshake.headers.cookie;
    if (cookie) headers.set("cookie", cookie);
    const token = (socket.handshake.auth as { token?: unknown } | null)?.token;
    if (typeof token === "string" && token) headers.set("authorization", `Bearer ${token}`);
    try {
      const principal = await authenticateRequest(services, headers);
      socket.data = { user: principal.user };
      next();
    } catch (err) {
      const message = err instanceof DomainError ? err.message : "internal error";
      next(Object.assign(new Error(message), { data: { code: "unauthorized", message } }));
    }
  };
}
