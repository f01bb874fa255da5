export const SIGN_IN_PATH = "/sign-in";

/** Pages for visitors who are not signed in (shown without the app's shell, never redirected). */
export const SIGNED_OUT_PATHS: readonly string[] = [SIGN_IN_PATH, "/invite"];

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
