import { type AuditEvent, apiRoutes } from "@switchyard/protocol";
import { defineCommand } from "../define";
import { UsageError } from "../errors";
import { formatTime, orDash, renderTable } from "../format";
import { writeJson, writeLine } from "../io";
import { timeOrAgo } from "../time";

function targetOf(e: AuditEvent): string {
  const details = e.details && typeof e.details === "object" ? (e.details as Record<string, unknown>) : {};
  const named = [details.email, details.name, details.container].find((v) => typeof v === "string");
  return `${e.targetType}${named ? ` ${String(named)}` : e.targetId ? ` ${e.targetId}` : ""}`;
}

export const commands = [
  defineCommand({
    path: ["audit", "ls"],
    aliases: ["list"],
    summary: "list audit entries, newest first, with filters",
    description: [
      "--since and --until take an ISO time or a duration before now (2h, 7d). A page ends with the",
      "flag that shows the next one (--cursor). --json prints { events, nextCursor }.",
    ].join("\n"),
    options: {
      actor: { type: "string", valueName: "WHO", description: "e-mail (or id) of who acted" },
      kind: {
        type: "string",
        valueName: "KIND",
        description: "an action (user.disable) or a kind (user, attachment)",
      },
      host: { type: "string", valueName: "HOST", description: "entries about this host (name or id)" },
      network: {
        type: "string",
        valueName: "NETWORK",
        description: "entries about this network (name or id)",
      },
      address: { type: "string", valueName: "IP", description: "entries about this address" },
      target: {
        type: "string",
        valueName: "ID",
        description: "entries about this object (attachment, user, ...)",
      },
      since: { type: "string", valueName: "TIME", description: "from this time on (ISO, or 2h, 7d ago)" },
      until: { type: "string", valueName: "TIME", description: "before this time (ISO, or a duration ago)" },
      limit: { type: "string", valueName: "N", description: "at most N entries (default 50, at most 500)" },
      cursor: {
        type: "string",
        valueName: "CURSOR",
        description: "the next page, as the previous one printed",
      },
    },
    args: [],
    async run(ctx, { options }) {
      if (options.limit !== undefined && !/^\d+$/.test(options.limit))
        throw new UsageError(`--limit must be a whole number, got "${options.limit}"`);
      const now = ctx.now();
      const { actor, kind, host, network, address, target, cursor } = options;
      const query = {
        actor,
        kind,
        host,
        network,
        address,
        target,
        cursor,
        from: options.since === undefined ? undefined : timeOrAgo(options.since, "--since", now),
        to: options.until === undefined ? undefined : timeOrAgo(options.until, "--until", now),
        limit: options.limit === undefined ? undefined : Number(options.limit),
      };
      const page = await ctx.client().call(apiRoutes.listAudit, { query });
      if (ctx.json) {
        writeJson(ctx.io.stdout, page);
        return 0;
      }
      if (page.events.length === 0) ctx.io.stdout.write("No audit entries.\n");
      else {
        const rows = page.events.map((e) => [
          formatTime(e.at, now),
          orDash(e.actor.name ?? e.actor.type),
          e.action,
          targetOf(e),
          orDash(e.address),
          orDash(e.reason),
        ]);
        ctx.io.stdout.write(renderTable(["TIME", "ACTOR", "ACTION", "TARGET", "ADDRESS", "REASON"], rows));
      }
      if (page.nextCursor) writeLine(ctx.io.stderr, `more: yardctl audit ls ... --cursor ${page.nextCursor}`);
      return 0;
    },
  }),
];
