import { apiRoutes } from "@switchyard/protocol";
import { defineCommand } from "../define";
import { CliError, UsageError } from "../errors";
import { writeJson, writeLine } from "../io";
import { promptHidden, readAllStdin } from "../prompt";
import type { CommandContext } from "../registry";

/**
 * Signs in with the current password and changes it over that session, so it works for a user who
 * has only a one-time password (no token can be made before it is changed) as well as with a token.
 */
export const commands = [
  defineCommand({
    path: ["passwd"],
    summary: "change your password (also a one-time password an admin gave you)",
    description: [
      "Asks for the current and the new password (twice) on a terminal; with --password-stdin reads",
      "two lines from stdin: the current password, then the new one. Your other sessions end.",
    ].join("\n"),
    options: {
      email: { type: "string", valueName: "EMAIL", description: "account (default: the saved token's user)" },
      url: {
        type: "string",
        valueName: "URL",
        description: "server URL (default: YARD_URL or the saved one)",
      },
      "password-stdin": { type: "boolean", description: "read current and new password from stdin" },
    },
    args: [],
    async run(ctx, { options }) {
      const url = options.url ?? ctx.config.url;
      if (!url) throw new UsageError("no server: pass --url or run 'yardctl login' first");
      const email = options.email ?? (await ctx.client().call(apiRoutes.me)).email;
      const { current, next } = await readPasswords(ctx, options["password-stdin"]);
      const client = ctx.anonymousClient(url);
      const cookie = await client.signIn({ email, password: current });
      const user = await client.call(
        apiRoutes.changePassword,
        { body: { currentPassword: current, newPassword: next } },
        { cookie },
      );
      await client.call(apiRoutes.signOut, {}, { cookie }).catch(() => undefined);
      if (ctx.json) writeJson(ctx.io.stdout, user);
      else writeLine(ctx.io.stdout, `Password of ${user.email} changed.`);
      return 0;
    },
  }),
];

async function readPasswords(
  ctx: CommandContext,
  fromStdin: boolean,
): Promise<{ current: string; next: string }> {
  if (fromStdin) {
    const [current = "", next = ""] = (await readAllStdin(ctx.io.stdin)).split(/\r?\n/);
    if (!current || !next)
      throw new UsageError("--password-stdin: expected two lines (current, then new password)");
    return { current, next };
  }
  if (!ctx.io.stdinIsTTY)
    throw new UsageError("stdin is not a terminal: pass the passwords with --password-stdin");
  const current = await promptHidden("Current password: ", ctx.io.stdin, ctx.io.stderr);
  const next = await promptHidden("New password: ", ctx.io.stdin, ctx.io.stderr);
  const again = await promptHidden("New password again: ", ctx.io.stdin, ctx.io.stderr);
  if (next !== again) throw new CliError("the new passwords differ; nothing changed");
  return { current, next };
}
