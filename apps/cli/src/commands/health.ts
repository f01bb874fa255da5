import { apiRoutes } from "@switchyard/protocol";
import { normalizeServerUrl } from "../config";
import { defineCommand } from "../define";
import { CliError } from "../errors";
import { renderFields } from "../format";
import { writeJson } from "../io";

export const commands = [
  defineCommand({
    path: ["health"],
    summary: "check the server and its database (needs no token)",
    description: "Exits 1 when the server reports itself degraded.",
    options: {
      url: {
        type: "string",
        valueName: "URL",
        description: "server URL (default: YARD_URL or the saved one)",
      },
    },
    args: [],
    async run(ctx, { options }) {
      const raw = options.url ?? ctx.config.url;
      if (raw === undefined)
        throw new CliError("no server URL", "pass --url, set YARD_URL, or run 'yardctl login'");
      const url = normalizeServerUrl(raw);
      const health = await ctx.anonymousClient(url).call(apiRoutes.health);
      if (ctx.json) writeJson(ctx.io.stdout, health);
      else {
        const db = health.database;
        ctx.io.stdout.write(
          renderFields([
            ["Server", url],
            ["Status", health.status],
            ["Version", `${health.version} (protocol ${health.protocolVersion})`],
            [
              "Database",
              db.ok ? `ok (${db.latencyMs ?? "?"} ms)` : `failing: ${db.error ?? "unknown error"}`,
            ],
          ]),
        );
      }
      return health.status === "ok" ? 0 : 1;
    },
  }),
];
