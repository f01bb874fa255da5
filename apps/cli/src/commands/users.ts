import {
  apiRoutes,
  type CredentialDelivery,
  type IssuedCredential,
  type Role,
  roleSchema,
  type UserInfo,
} from "@switchyard/protocol";
import { defineCommand } from "../define";
import { UsageError } from "../errors";
import { formatAge, orDash, renderTable } from "../format";
import { writeJson, writeLine } from "../io";
import { readAllStdin } from "../prompt";
import type { CommandContext } from "../registry";

function stateOf(user: UserInfo, now: Date): string {
  if (user.disabledAt) return `disabled ${formatAge(user.disabledAt, now)}`;
  if (user.inviteExpiresAt) return `invited (link until ${user.inviteExpiresAt})`;
  if (user.mustChangePassword) return "must change password";
  return "active";
}

function role(text: string): Role {
  const parsed = roleSchema.safeParse(text);
  if (!parsed.success) throw new UsageError(`role must be admin, operator or viewer, got "${text}"`);
  return parsed.data;
}

/** The secret of a create or reset, shown once. */
function writeIssued(ctx: CommandContext, issued: IssuedCredential, verb: string): void {
  if (ctx.json) {
    writeJson(ctx.io.stdout, issued);
    return;
  }
  writeLine(ctx.io.stdout, `${verb} ${issued.user.email} (${issued.user.role}).`);
  if (issued.oneTimePassword) {
    writeLine(
      ctx.io.stdout,
      `One-time password (shown once; changed at first sign-in): ${issued.oneTimePassword}`,
    );
  }
  if (issued.invite) {
    writeLine(ctx.io.stdout, `Invite link (shown once, valid until ${issued.invite.expiresAt}):`);
    writeLine(ctx.io.stdout, issued.invite.url);
  }
}

const userArg = [{ name: "USER", description: "e-mail or id" }] as const;

export const commands = [
  defineCommand({
    path: ["users", "ls"],
    aliases: ["list"],
    summary: "list users (admin)",
    options: {},
    args: [],
    async run(ctx) {
      const { users } = await ctx.client().call(apiRoutes.listUsers);
      if (ctx.json) {
        writeJson(ctx.io.stdout, { users });
        return 0;
      }
      const now = ctx.now();
      const rows = users.map((u) => [u.email, u.role, stateOf(u, now), formatAge(u.lastSeenAt, now), u.id]);
      ctx.io.stdout.write(renderTable(["EMAIL", "ROLE", "STATE", "LAST SEEN", "ID"], rows));
      return 0;
    },
  }),
  defineCommand({
    path: ["users", "add"],
    summary:
      "create a user with a one-time password (default), an invite link or a password from stdin (admin)",
    options: {
      role: { type: "string", valueName: "ROLE", description: "admin, operator or viewer (required)" },
      invite: { type: "boolean", description: "print an invite link instead of a one-time password" },
      "password-stdin": {
        type: "boolean",
        description: "set the password read from stdin (no change asked)",
      },
    },
    args: [{ name: "EMAIL", description: "the user's e-mail" }],
    async run(ctx, { options, args }) {
      if (!options.role) throw new UsageError("--role is required (admin, operator or viewer)");
      if (options.invite && options["password-stdin"])
        throw new UsageError("give --invite or --password-stdin, not both");
      const password = options["password-stdin"] ? await readAllStdin(ctx.io.stdin) : undefined;
      const delivery: CredentialDelivery = options.invite ? "invite" : "one_time_password";
      const body = {
        email: args.EMAIL,
        role: role(options.role),
        ...(password !== undefined ? { password } : { delivery }),
      };
      writeIssued(ctx, await ctx.client().call(apiRoutes.createUser, { body }), "Created");
      return 0;
    },
  }),
  defineCommand({
    path: ["users", "role"],
    summary: "set a user's role; its sessions and sockets end (admin)",
    options: {},
    args: [...userArg, { name: "ROLE", description: "admin, operator or viewer" }],
    async run(ctx, { args }) {
      const user = await ctx.client().call(apiRoutes.updateUser, {
        params: { id: args.USER },
        body: { role: role(args.ROLE) },
      });
      if (ctx.json) writeJson(ctx.io.stdout, user);
      else writeLine(ctx.io.stdout, `${user.email} is now ${user.role}.`);
      return 0;
    },
  }),
  ...(["disable", "enable"] as const).map((verb) =>
    defineCommand({
      path: ["users", verb],
      summary:
        verb === "disable"
          ? "disable a user: no sign-in, sessions and sockets ended, tokens refused (admin)"
          : "enable a disabled user again (admin)",
      options: {},
      args: userArg,
      async run(ctx, { args }) {
        const user = await ctx.client().call(apiRoutes.updateUser, {
          params: { id: args.USER },
          body: { disabled: verb === "disable" },
        });
        if (ctx.json) writeJson(ctx.io.stdout, user);
        else writeLine(ctx.io.stdout, `${user.email} is ${verb}d.`);
        return 0;
      },
    }),
  ),
  defineCommand({
    path: ["users", "rm"],
    aliases: ["delete"],
    summary: "delete a user with its sessions and tokens (admin)",
    options: {},
    args: userArg,
    async run(ctx, { args }) {
      const user = await ctx.client().call(apiRoutes.deleteUser, { params: { id: args.USER } });
      if (ctx.json) writeJson(ctx.io.stdout, user);
      else writeLine(ctx.io.stdout, `Deleted ${user.email} (${orDash(user.id)}).`);
      return 0;
    },
  }),
  defineCommand({
    path: ["users", "reset-password"],
    summary: "give a user a new one-time password or invite link; its sessions end (admin)",
    options: {
      invite: { type: "boolean", description: "print an invite link instead of a one-time password" },
    },
    args: userArg,
    async run(ctx, { options, args }) {
      const issued = await ctx.client().call(apiRoutes.resetUserPassword, {
        params: { id: args.USER },
        body: { delivery: options.invite ? "invite" : "one_time_password" },
      });
      writeIssued(ctx, issued, "Reset the password of");
      return 0;
    },
  }),
];
