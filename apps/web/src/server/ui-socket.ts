import { DomainError, type ServiceContext } from "@switchyard/control";
import type { EmitMap, ServerToUiEvents, User } from "@switchyard/protocol";
import type { ExtendedError, Namespace, Socket } from "socket.io";
import { authenticateRequest } from "./api/context";
import { isCrossSite, type SitePolicy } from "./api/same-site";
import type { Logger } from "./logger";

interface UiSocketData {
  user: User;
  /** The headers it authenticated with, to check them again while it lives. */
  credentials: Headers;
}
type UiEmitMap = EmitMap<ServerToUiEvents>;
type UiSocket = Socket<Record<string, never>, UiEmitMap, Record<string, never>, UiSocketData>;
export type UiNamespace = Namespace<Record<string, never>, UiEmitMap, Record<string, never>, UiSocketData>;

/**
 * `/ui` handshake: the browser's session cookie, or an API token in `auth.token`. A cookie only counts
 * from the same site (Origin against the site policy, as the REST edge checks): a page on another
 * port or subdomain must not read hosts and addresses with the user's cookie.
 */
export function authenticateUiSocket(services: ServiceContext, site: SitePolicy) {
  return async (socket: UiSocket, next: (err?: ExtendedError) => void) => {
    const headers = new Headers();
    for (const name of ["origin", "host", "x-forwarded-host", "sec-fetch-site"] as const) {
      const value = socket.handshake.headers[name];
      if (typeof value === "string") headers.set(name, value);
    }
    const cookie = socket.handshake.headers.cookie;
    const token = (socket.handshake.auth as { token?: unknown } | null)?.token;
    if (typeof token === "string" && token) headers.set("authorization", `Bearer ${token}`);
    else if (cookie) {
      if (isCrossSite(headers, site)) {
        const message = "cross-site socket refused";
        next(Object.assign(new Error(message), { data: { code: "forbidden", message } }));
        return;
      }
      headers.set("cookie", cookie);
    }
    try {
      const principal = await authenticateRequest(services, headers);
      socket.data = { user: principal.user, credentials: headers };
      // Sign-out and token revocation close the sockets of this room, on every replica.
      await socket.join(credentialRoom(principal.credentialId));
      next();
    } catch (err) {
      const message = err instanceof DomainError ? err.message : "internal error";
      next(Object.assign(new Error(message), { data: { code: "unauthorized", message } }));
    }
  };
}

export const credentialRoom = (credentialId: string) => `credential:${credentialId}`;

/**
 * Checks a live socket's session or token again every `everyMs` and disconnects it once it no longer
 * authenticates (expired, user deleted or disabled): the rooms cover sign-out and revocation at once,
 * this covers what ends without an event.
 */
export function recheckUiSocket(
  socket: UiSocket,
  services: ServiceContext,
  everyMs: number,
  logger: Logger,
): void {
  const timer = setInterval(() => {
    authenticateRequest(services, socket.data.credentials).catch((err: unknown) => {
      if (!(err instanceof DomainError)) {
        logger.warn({ err }, "could not re-check a browser socket");
        return;
      }
      socket.disconnect(true);
    });
  }, everyMs);
  timer.unref();
  socket.once("disconnect", () => clearInterval(timer));
}
