import { apiRoutes } from "@switchyard/protocol";
import { defineCommand } from "../define";
import { renderFields } from "../format";
import { writeJson } from "../io";

export const commands = [
  defineCommand({
    path: ["whoami"],
    summary: "show the user the configured token belongs to, and the server",
    options: {},
    args: [],
    async run(ctx) {
      const client = ctx.client();
      const user = await client.call(apiRoutes.me);
      if (ctx.json) writeJson(ctx.io.stdout, user);
      else {
        ctx.io.stdout.write(
          renderFields([
            ["Email", user.email],
            ["Role", user.role],
            ["Server", client.baseUrl],
            ["Token from", ctx.config.tokenSource === "env" ? "YARD_TOKEN" : ctx.config.path],
          ]),
        );
      }
      return 0;
    },
  }),
];
