import { apiRoutes, everyPage } from "@switchyard/protocol";
import { defineCommand } from "../define";
import { formatAge, orDash, renderTable } from "../format";
import { writeJson } from "../io";
import { formatEnrollment, formatHostDetail, HOST_COLUMNS, hostRows } from "../render/hosts";

const nameArg = { name: "NAME", description: "host name or id" } as const;

export const commands = [
  defineCommand({
    path: ["hosts", "ls"],
    aliases: ["list"],
    summary: "list hosts with their status",
    options: {},
    args: [],
    async run(ctx) {
      const client = ctx.client();
      const hosts = await everyPage(
        (query) => client.call(apiRoutes.listHosts, { query }),
        (p) => p.hosts,
      );
      if (ctx.json) writeJson(ctx.io.stdout, { hosts });
      else if (hosts.length === 0)
        ctx.io.stdout.write("No hosts yet. Add one with: yardctl hosts create NAME\n");
      else ctx.io.stdout.write(renderTable(HOST_COLUMNS, hostRows(hosts, ctx.now())));
      return 0;
    },
  }),
  defineCommand({
    path: ["hosts", "show"],
    aliases: ["get"],
    summary: "show a host: status, agent, interfaces, bridges, containers",
    options: {},
    args: [nameArg],
    async run(ctx, { args }) {
      const host = await ctx.client().call(apiRoutes.getHost, { params: { id: args.NAME } });
      if (ctx.json) writeJson(ctx.io.stdout, host);
      else ctx.io.stdout.write(formatHostDetail(host, ctx.now()));
      return 0;
    },
  }),
  defineCommand({
    path: ["hosts", "drift"],
    summary: "show where a host differs from what Switchyard wants, and what its agent repaired",
    description:
      "Kinds: missing_veth, missing_port, wrong_tag, vlan_not_on_trunk, unknown_interface_with_managed_address, failed. Exit 0 either way.",
    options: {},
    args: [nameArg],
    async run(ctx, { args }) {
      const drift = await ctx.client().call(apiRoutes.hostDrift, { params: { id: args.NAME } });
      if (ctx.json) {
        writeJson(ctx.io.stdout, drift);
        return 0;
      }
      const out = ctx.io.stdout;
      if (drift.items.length === 0) out.write(`No drift on ${drift.hostName}.\n`);
      else
        out.write(
          renderTable(
            ["KIND", "CONTAINER", "PORT", "EXPECTED", "ACTUAL"],
            drift.items.map((i) => [
              i.kind,
              orDash(i.container && i.ifname ? `${i.container} ${i.ifname}` : i.container),
              orDash(i.port),
              orDash(i.expected),
              orDash(i.actual),
            ]),
          ),
        );
      if (drift.events.length > 0) {
        out.write("\nRepaired and failed (latest first):\n");
        out.write(
          renderTable(
            ["WHEN", "KIND", "MESSAGE"],
            drift.events.map((e) => [formatAge(e.at, ctx.now()), e.kind, e.message]),
          ),
        );
      }
      return 0;
    },
  }),
  defineCommand({
    path: ["hosts", "repair"],
    summary: "ask a host's agent to verify the whole host now and repair its drift",
    description: "Also for an agent started with --drift-repair report, which repairs only when asked.",
    options: {},
    args: [nameArg],
    async run(ctx, { args }) {
      const answer = await ctx.client().call(apiRoutes.repairHost, { params: { id: args.NAME } });
      if (ctx.json) writeJson(ctx.io.stdout, answer);
      else
        ctx.io.stdout.write(
          answer.started
            ? `The agent (drift repair ${answer.mode}) is verifying the host; see: yardctl hosts drift ${args.NAME}\n`
            : "The agent has no desired state yet: nothing to repair.\n",
        );
      return 0;
    },
  }),
  defineCommand({
    path: ["hosts", "create"],
    summary: "add a host and print its one-time enrollment token",
    description: "Run the printed switchyard-agent command on the host (as root) to enroll it.",
    options: {
      description: { type: "string", valueName: "TEXT", description: "what the host is for" },
    },
    args: [{ name: "NAME", description: "host name: letters, digits, '.', '_', '-'" }],
    async run(ctx, { args, options }) {
      const client = ctx.client();
      const body =
        options.description === undefined
          ? { name: args.NAME }
          : { name: args.NAME, description: options.description };
      const created = await client.call(apiRoutes.createHost, { body });
      if (ctx.json) writeJson(ctx.io.stdout, created);
      else ctx.io.stdout.write(formatEnrollment(created, client.baseUrl, "Created"));
      return 0;
    },
  }),
  defineCommand({
    path: ["hosts", "token"],
    summary: "issue a new one-time enrollment token for a host",
    description: "Older unused enrollment tokens of the host stop working.",
    options: {},
    args: [nameArg],
    async run(ctx, { args }) {
      const client = ctx.client();
      const created = await client.call(apiRoutes.issueEnrollmentToken, { params: { id: args.NAME } });
      if (ctx.json) writeJson(ctx.io.stdout, created);
      else ctx.io.stdout.write(formatEnrollment(created, client.baseUrl, "New enrollment token for"));
      return 0;
    },
  }),
  defineCommand({
    path: ["hosts", "revoke"],
    summary: "revoke a host: its agent can no longer connect",
    options: {
      reason: { type: "string", valueName: "TEXT", description: "why, for the audit log" },
    },
    args: [nameArg],
    async run(ctx, { args, options }) {
      const host = await ctx.client().call(apiRoutes.revokeHost, {
        params: { id: args.NAME },
        body: options.reason === undefined ? {} : { reason: options.reason },
      });
      if (ctx.json) writeJson(ctx.io.stdout, host);
      else ctx.io.stdout.write(`Revoked host ${host.name} (${host.id}); its agent can no longer connect.\n`);
      return 0;
    },
  }),
];
