import { apiRoutes } from "@switchyard/protocol";
import { removeSavedToken } from "../config";
import { defineCommand } from "../define";
import { ApiRequestError } from "../errors";
import { writeJson, writeLine } from "../io";

export const commands = [
  defineCommand({
    path: ["logout"],
    summary: "revoke the saved API token and remove it from the config file",
    options: {},
    args: [],
    async run(ctx) {
      const { config } = ctx;
      let revoked = false;
      if (config.tokenSource === "file" && config.savedTokenId) {
        try {
          await ctx.client().call(apiRoutes.revokeToken, { params: { id: config.savedTokenId } });
          revoked = true;
        } catch (error) {
          // Already revoked or unknown: the token is useless either way, forget it.
          if (!(error instanceof ApiRequestError && (error.status === 401 || error.status === 404)))
            throw error;
        }
      }
      const removed = await removeSavedToken(config.path);
      if (ctx.json) writeJson(ctx.io.stdout, { revoked, removed, configPath: config.path });
      else if (!removed && !revoked) writeLine(ctx.io.stdout, "Not logged in; nothing to do.");
      else writeLine(ctx.io.stdout, `Logged out${revoked ? "; the token was revoked" : ""}.`);
      if (config.tokenSource === "env")
        writeLine(ctx.io.stderr, "warning: YARD_TOKEN is still set in the environment");
      return 0;
    },
  }),
];
