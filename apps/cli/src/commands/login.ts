import { apiRoutes } from "@switchyard/protocol";
import { normalizeServerUrl, saveConfig } from "../config";
import { defineCommand } from "../define";
import { UsageError } from "../errors";
import { writeJson, writeLine } from "../io";
import { promptHidden, promptLine, readAllStdin } from "../prompt";
import type { CommandContext } from "../registry";

const DEFAULT_URL = "http://localhost:3000";

export const commands = [
  defineCommand({
    path: ["login"],
    summary: "sign in and save an API token for later commands",
    description: [
      "Signs in with email and password, creates an API token named yardctl@<hostname>, and saves",
      "the server URL and the token to $XDG_CONFIG_HOME/switchyard/cli.json (mode 0600).",
      "The password is prompted for on a terminal; with --password-stdin it is read from stdin.",
    ].join("\n"),
    options: {
      url: {
        type: "string",
        valueName: "URL",
        description: `server URL (default: YARD_URL, the saved one, or ${DEFAULT_URL})`,
      },
      email: {
        type: "string",
        valueName: "EMAIL",
        description: "account email (prompted for on a terminal)",
      },
      "password-stdin": { type: "boolean", description: "read the password from stdin" },
    },
    args: [],
    async run(ctx, { options }) {
      const url = normalizeServerUrl(options.url ?? ctx.config.url ?? DEFAULT_URL);
      const email = await resolveEmail(ctx, options.email, options["password-stdin"]);
      const password = await resolvePassword(ctx, options["password-stdin"]);
      const client = ctx.anonymousClient(url);
      const session = await client.signIn({ email, password });
      const created = await client.call(
        apiRoutes.createToken,
        { body: { name: `yardctl@${ctx.hostname}` } },
        { cookie: session },
      );
      await saveConfig(ctx.config.path, { url, token: created.token, tokenId: created.id });
      // Keep only the API token; the session was a means to create it. Best effort.
      await client.call(apiRoutes.signOut, {}, { cookie: session }).catch(() => undefined);
      const { token: _secret, ...token } = created;
      if (ctx.json) writeJson(ctx.io.stdout, { url, email, configPath: ctx.config.path, token });
      else
        writeLine(
          ctx.io.stdout,
          `Logged in to ${url} as ${email}; token '${token.name}' saved to ${ctx.config.path}.`,
        );
      if (ctx.config.tokenSource === "env") {
        writeLine(ctx.io.stderr, "warning: YARD_TOKEN is set and overrides the saved token");
      }
      return 0;
    },
  }),
];

async function resolveEmail(
  ctx: CommandContext,
  given: string | undefined,
  passwordOnStdin: boolean,
): Promise<string> {
  if (given !== undefined && given.trim() !== "") return given.trim();
  if (passwordOnStdin || !ctx.io.stdinIsTTY)
    throw new UsageError("--email is required when stdin is not a terminal");
  const email = (await promptLine("Email: ", ctx.io.stdin, ctx.io.stderr)).trim();
  if (email === "") throw new UsageError("an email is required");
  return email;
}

async function resolvePassword(ctx: CommandContext, fromStdin: boolean): Promise<string> {
  if (fromStdin) {
    const password = await readAllStdin(ctx.io.stdin);
    if (password === "") throw new UsageError("--password-stdin: nothing on stdin");
    return password;
  }
  if (!ctx.io.stdinIsTTY)
    throw new UsageError("stdin is not a terminal: pass the password with --password-stdin");
  const password = await promptHidden("Password: ", ctx.io.stdin, ctx.io.stderr);
  if (password === "") throw new UsageError("a password is required");
  return password;
}
