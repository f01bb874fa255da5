/** Debian's Chromium (Playwright cannot download browsers here), for the e2e specs and `bench ui`. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Its flags: they keep it off the network. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
];
