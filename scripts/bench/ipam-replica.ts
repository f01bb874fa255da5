/**
 * One control-plane replica for the IPAM benchmark: the real HTTP server (REST API, socket.io hub,
 * background jobs; no UI) on DATABASE_URL. Prints its URL on stdout, stops on SIGTERM.
 *
 *   tsx scripts/bench/ipam-replica.ts postgresql://...
 */
import { loadConfig } from "../../apps/web/src/server/config";
import { startControlPlane } from "../../apps/web/src/server/control-plane";

const url = process.argv[2];
if (!url) throw new Error("usage: ipam-replica.ts DATABASE_URL");
const plane = await startControlPlane(
  loadConfig({
    DATABASE_URL: url,
    PORT: "0",
    HOST: "127.0.0.1",
    SWITCHYARD_UI: "false",
    SWITCHYARD_LOCAL_AGENT: "false",
    LOG_LEVEL: "silent",
    SWITCHYARD_ADMIN_PASSWORD: "bench-admin-password",
  }),
);
process.stdout.write(`${plane.url}\n`);
const stop = () => void plane.close().then(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
