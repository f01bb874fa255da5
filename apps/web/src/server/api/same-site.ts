/**
 * Which hosts a browser's Origin may name for a cookie to count (REST changes, sign-in and sign-out,
 * `/ui` sockets): the defence in depth against cross-site request forgery on top of SameSite=Lax.
 *
 * The Host and X-Forwarded-Host headers say which host the client asked for, but they are whatever
 * reached us: a DNS-rebound name, or anything a client or a careless proxy put in X-Forwarded-Host.
 * So ALLOWED_HOSTS, when set, is the whole list (with PUBLIC_URL's host); without it the request's
 * own Host counts, and X-Forwarded-Host only when TRUST_PROXY says a proxy of ours sets it. A request
 * that carries X-Forwarded-Host from an untrusted source gets neither: its Host is the proxy's upstream
 * name, not the one the browser used.
 */
export interface SitePolicy {
  /** host[:port] always accepted: ALLOWED_HOSTS and PUBLIC_URL's host. */
  readonly hosts: readonly string[];
  /** Whether the request's own host counts (ALLOWED_HOSTS unset). */
  readonly requestHost: boolean;
  /** TRUST_PROXY: X-Forwarded-Host (its first entry) is the request's own host. */
  readonly trustProxy: boolean;
}

/** Without configuration: the request's own Host, X-Forwarded-Host never. */
export const defaultSitePolicy: SitePolicy = { hosts: [], requestHost: true, trustProxy: false };

/** The policy of ALLOWED_HOSTS (null: unset), PUBLIC_URL and TRUST_PROXY, as config.ts parsed them. */
export function sitePolicy(options: {
  allowedHosts: readonly string[] | null;
  publicUrl: string | null;
  trustProxy: boolean;
}): SitePolicy {
  const hosts = [...(options.allowedHosts ?? [])];
  if (options.publicUrl) hosts.push(new URL(options.publicUrl).host);
  return { hosts, requestHost: options.allowedHosts === null, trustProxy: options.trustProxy };
}

/** Whether `candidate` (host[:port]) names the origin's host, default ports taken from its scheme. */
function namesOrigin(origin: URL, candidate: string): boolean {
  try {
    return new URL(`${origin.protocol}//${candidate.trim()}`).host === origin.host;
  } catch {
    return false;
  }
}

/** A request from another site: Sec-Fetch-Site says so, or its Origin names a host the policy does not accept. */
export function isCrossSite(headers: Headers, policy: SitePolicy = defaultSitePolicy): boolean {
  if (headers.get("sec-fetch-site") === "cross-site") return true;
  const value = headers.get("origin");
  if (!value || value === "null") return value === "null";
  let origin: URL;
  try {
    origin = new URL(value);
  } catch {
    return true;
  }
  const accepted = [...policy.hosts];
  if (policy.requestHost) {
    const forwarded = headers.get("x-forwarded-host");
    const own = forwarded === null ? headers.get("host") : policy.trustProxy ? forwarded.split(",")[0] : null;
    if (own) accepted.push(own);
  }
  return !accepted.some((host) => namesOrigin(origin, host));
}
