export const SIGN_IN_PATH = "/sign-in";

/** Where to send an unauthenticated visitor so that signing in brings them back. */
export function signInUrl(returnTo: string): string {
  if (returnTo === "/" || returnTo.startsWith(SIGN_IN_PATH)) return SIGN_IN_PATH;
  return `${SIGN_IN_PATH}?next=${encodeURIComponent(returnTo)}`;
}

/** Only same-site paths are followed after sign-in. */
export function safeReturnPath(next: string | null): string {
  if (next?.startsWith("/") && !next.startsWith("//") && !next.startsWith("/\\")) return next;
  return "/";
}
