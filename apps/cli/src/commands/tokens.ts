import { apiRoutes } from "@switchyard/protocol";
import { defineCommand } from "../define";
import { formatAge, renderTable } from "../format";
import { writeJson } from "../io";

export const commands = [
  defineCommand({
    path: ["tokens", "ls"],
    aliases: ["list"],
    summary: "list your API tokens",
    options: {},
    args: [],
    async run(ctx) {
      const { tokens } = await ctx.client().call(apiRoutes.listTokens);
      if (ctx.json) {
        writeJson(ctx.io.stdout, { tokens });
        return 0;
      }
      const now = ctx.now();
      const rows = tokens.map((t) => [
        t.id === ctx.config.savedTokenId ? `${t.id} *` : t.id,
        t.name,
        t.prefix,
        formatAge(t.createdAt, now),
        formatAge(t.lastUsedAt, now),
        t.revokedAt ? `revoked ${formatAge(t.revokedAt, now)}` : "active",
      ]);
      ctx.io.stdout.write(renderTable(["ID", "NAME", "PREFIX", "CREATED", "LAST USED", "STATE"], rows));
      if (ctx.config.savedTokenId) ctx.io.stdout.write("* the token this CLI uses\n");
      return 0;
    },
  }),
  defineCommand({
    path: ["tokens", "revoke"],
    summary: "revoke one of your API tokens",
    options: {},
    args: [{ name: "ID", description: "token id (see 'yardctl tokens ls')" }],
    async run(ctx, { args }) {
      const token = await ctx.client().call(apiRoutes.revokeToken, { params: { id: args.ID } });
      if (ctx.json) writeJson(ctx.io.stdout, token);
      else ctx.io.stdout.write(`Revoked token ${token.name} (${token.id}).\n`);
      return 0;
    },
  }),
];
