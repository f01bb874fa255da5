import {
  DomainError,
  type Principal,
  resolveApiToken,
  resolveSession,
  SESSION_COOKIE,
  type ServiceContext,
} from "@switchyard/control";
import type { PrismaClient } from "@switchyard/db";
import type { HubPort } from "../broadcast";
import type { Logger } from "../logger";
import { parseCookies } from "./cookies";
import { defaultSitePolicy, isCrossSite, type SitePolicy } from "./same-site";

interface ApiConfig {
  sessionTtlMs: number;
  enrollmentTtlMs: number;
  /** INVITE_TTL: lifetime of an invite link (72 h when omitted). */
  inviteTtlMs?: number;
  cookieSecure: boolean;
  /** PUBLIC_URL: where invite links point. */
  publicUrl?: string | null;
  /** Which hosts a browser's Origin may name (ALLOWED_HOSTS, PUBLIC_URL, TRUST_PROXY); same-host only when omitted. */
  site?: SitePolicy;
  /** Leak check settings (LEAK_GRACE, HOST_OFFLINE_GRACE, LEAK_WEBHOOK_URL); defaults when omitted. */
  leaks?: { graceMs: number; hostOfflineGraceMs: number; webhookUrl: string | null };
  /** POOL_EXHAUSTION_HORIZON for pool forecasts (24 h when omitted). */
  poolExhaustionHorizonMs?: number;
  /** Check every success body against its contract's schema (VALIDATE_RESPONSES; on in the test suites). */
  validateResponses?: boolean;
}

export interface ApiDeps {
  prisma: PrismaClient;
  now: () => Date;
  config: ApiConfig;
  logger: Logger;
  hub: HubPort;
  /** Version string reported by /health. */
  version: string;
}

/** What a route handler receives. */
export interface RequestContext {
  request: Request;
  url: URL;
  /** `:name` segments of the route path, decoded. */
  params: Record<string, string>;
  deps: ApiDeps;
  /** The service context (prisma + clock) to hand to @switchyard/control. */
  services: ServiceContext;
  /** The signed-in caller (session cookie or bearer API token); throws 401 otherwise. Cached per request. */
  principal(): Promise<Principal>;
  /** The peer's address as the socket saw it (null when the request did not come over a socket). */
  clientAddress: string | null;
}

export function createRequestContext(
  request: Request,
  url: URL,
  params: Record<string, string>,
  deps: ApiDeps,
  clientAddress: string | null = null,
): RequestContext {
  const services: ServiceContext = { prisma: deps.prisma, now: deps.now };
  let cached: Promise<Principal> | undefined;
  return {
    request,
    url,
    params,
    deps,
    services,
    clientAddress,
    principal: () => {
      cached ??= authenticateRequest(services, request.headers, request.method, deps.config.site).then(
        (principal) => {
          assertPasswordChanged(principal, url.pathname);
          return principal;
        },
      );
      return cached;
    },
  };
}

/** What a user signed in with a one-time password may do before changing it. */
const BEFORE_PASSWORD_CHANGE = new Set(["/api/v1/auth/me", "/api/v1/auth/password"]);

function assertPasswordChanged(principal: Principal, pathname: string): void {
  if (principal.user.mustChangePassword && !BEFORE_PASSWORD_CHANGE.has(pathname)) {
    throw new DomainError(
      "forbidden",
      "you signed in with a one-time password: change it first (POST /api/v1/auth/password, yardctl passwd)",
      undefined,
      { reason: "password_change_required" },
    );
  }
}

function bearerToken(headers: Headers): string | null {
  const header = headers.get("authorization");
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m?.[1] ?? null;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Session cookie or `Authorization: Bearer syt_...`; a cookie-authenticated change must come from this site. */
export async function authenticateRequest(
  services: ServiceContext,
  headers: Headers,
  method = "GET",
  site: SitePolicy = defaultSitePolicy,
): Promise<Principal> {
  if (headers.has("authorization")) {
    const token = bearerToken(headers);
    const principal = token ? await resolveApiToken(services, token) : null;
    if (!principal) throw new DomainError("unauthorized", "API token is invalid, expired or revoked");
    if (principal.scope === "read_only" && !SAFE_METHODS.has(method)) {
      throw new DomainError(
        "forbidden",
        `this API token has the read_only scope: it may call GET routes only, not ${method}`,
        undefined,
        { scope: "read_only" },
      );
    }
    return principal;
  }
  const cookie = parseCookies(headers.get("cookie")).get(SESSION_COOKIE);
  if (cookie) {
    if (!SAFE_METHODS.has(method) && isCrossSite(headers, site)) {
      throw new DomainError("forbidden", "cross-site request refused: use the Switchyard UI or an API token");
    }
    const principal = await resolveSession(services, cookie);
    if (principal) return principal;
    throw new DomainError("unauthorized", "your session has expired; sign in again");
  }
  throw new DomainError("unauthorized", "sign in, or send an API token as 'Authorization: Bearer syt_...'");
}
