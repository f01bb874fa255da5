import { type ApiTokenInfo, apiRoutes, everyPage } from "@switchyard/protocol";
import { defineCommand } from "../define";
import { formatAge, renderTable } from "../format";
import { writeJson, writeLine } from "../io";
import { flagDuration } from "../time";

function stateOf(t: ApiTokenInfo, now: Date): string {
  if (t.revokedAt) return `revoked ${formatAge(t.revokedAt, now)}`;
  if (t.expiresAt && Date.parse(t.expiresAt) <= now.getTime())
    return `expired ${formatAge(t.expiresAt, now)}`;
  const parts = ["active", ...(t.scope === "read_only" ? ["read-only"] : [])];
  if (t.expiresAt) parts.push(`until ${t.expiresAt}`);
  return parts.join(", ");
}

export const commands = [
  defineCommand({
    path: ["tokens", "ls"],
    aliases: ["list"],
    summary: "list your API tokens",
    options: {},
    args: [],
    async run(ctx) {
      const client = ctx.client();
      const tokens = await everyPage(
        (query) => client.call(apiRoutes.listTokens, { query }),
        (p) => p.tokens,
      );
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
        stateOf(t, now),
      ]);
      ctx.io.stdout.write(renderTable(["ID", "NAME", "PREFIX", "CREATED", "LAST USED", "STATE"], rows));
      if (ctx.config.savedTokenId) ctx.io.stdout.write("* the token this CLI uses\n");
      return 0;
    },
  }),
  defineCommand({
    path: ["tokens", "create"],
    summary: "create an API token for scripts (the secret is printed once)",
    options: {
      expires: {
        type: "string",
        valueName: "DURATION",
        description: "refused after this long (30d, 12h, 2w)",
      },
      "read-only": { type: "boolean", description: "GET routes only (dashboards, scrapers)" },
    },
    args: [{ name: "NAME", description: "what the token is for" }],
    async run(ctx, { options, args }) {
      const expiresAt =
        options.expires === undefined
          ? undefined
          : new Date(ctx.now().getTime() + flagDuration(options.expires, "--expires")).toISOString();
      const body = {
        name: args.NAME,
        scope: options["read-only"] ? "read_only" : "full",
        expiresAt,
      } as const;
      const created = await ctx.client().call(apiRoutes.createToken, { body });
      if (ctx.json) writeJson(ctx.io.stdout, created);
      else {
        writeLine(
          ctx.io.stdout,
          `Created token ${created.name} (${created.id}): ${stateOf(created, ctx.now())}.`,
        );
        writeLine(ctx.io.stdout, `Token (shown once): ${created.token}`);
      }
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
