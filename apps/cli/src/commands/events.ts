import { apiRoutes } from "@switchyard/protocol";
import { defineCommand } from "../define";
import { UsageError } from "../errors";
import { formatAge, orDash, renderTable } from "../format";
import { writeJson } from "../io";

export const commands = [
  defineCommand({
    path: ["events", "ls"],
    aliases: ["list"],
    summary: "list drift the agents repaired and endpoints they failed, latest first",
    options: {
      host: { type: "string", valueName: "HOST", description: "only this host (name)" },
      limit: { type: "string", valueName: "N", description: "at most N (default 50)" },
    },
    args: [],
    async run(ctx, { options }) {
      if (options.limit !== undefined && !/^\d+$/.test(options.limit))
        throw new UsageError(`--limit must be a whole number, got "${options.limit}"`);
      const { events } = await ctx
        .client()
        .call(apiRoutes.listEvents, { query: { host: options.host, limit: options.limit } });
      if (ctx.json) writeJson(ctx.io.stdout, { events });
      else if (events.length === 0) ctx.io.stdout.write("No events: every host matched its desired state.\n");
      else
        ctx.io.stdout.write(
          renderTable(
            ["WHEN", "HOST", "KIND", "ATTACHMENT", "MESSAGE"],
            events.map((e) => [
              formatAge(e.at, ctx.now()),
              e.hostName,
              e.kind,
              orDash(e.attachmentId),
              e.message,
            ]),
          ),
        );
      return 0;
    },
  }),
];
