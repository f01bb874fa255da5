import { apiRoutes, type Operation, type operationListQuerySchema } from "@switchyard/protocol";
import type { z } from "zod";
import { defineCommand } from "../define";
import { UsageError } from "../errors";
import { formatAge, formatTime, orDash, renderFields, renderTable } from "../format";
import { writeJson } from "../io";

export function operationRows(ops: readonly Operation[], now: Date): string[][] {
  return ops.map((o) => [
    o.id,
    o.kind,
    o.status,
    o.hostName,
    o.networkName,
    o.attachmentId,
    orDash(o.requestedBy),
    formatAge(o.createdAt, now),
    orDash(o.error),
  ]);
}

export const OPERATION_COLUMNS = [
  "ID",
  "KIND",
  "STATUS",
  "HOST",
  "NETWORK",
  "ATTACHMENT",
  "BY",
  "CREATED",
  "ERROR",
];

export function formatOperation(o: Operation, now: Date): string {
  return renderFields([
    ["Operation", o.id],
    ["Kind", o.kind],
    ["Status", o.status],
    ["Error", o.error],
    ["Host", `${o.hostName} (${o.hostId})`],
    ["Network", `${o.networkName} (${o.networkId})`],
    ["Attachment", o.attachmentId],
    ["Requested by", o.requestedBy],
    ["Reason", o.reason],
    ["Serial", String(o.serial)],
    ["Created", formatTime(o.createdAt, now)],
    ["Sent", o.sentAt ? formatTime(o.sentAt, now) : null],
    ["Finished", o.finishedAt ? formatTime(o.finishedAt, now) : null],
    ["Agent time", o.durationMs === null ? null : `${o.durationMs} ms`],
  ]);
}

export const commands = [
  defineCommand({
    path: ["ops", "ls"],
    aliases: ["list"],
    summary: "list attach and detach operations, latest first",
    options: {
      host: { type: "string", valueName: "HOST", description: "only this host (name or id)" },
      network: { type: "string", valueName: "NETWORK", description: "only this network (name or id)" },
      attachment: { type: "string", valueName: "ID", description: "only this attachment" },
      status: { type: "string", valueName: "STATUS", description: "pending, sent, applied or failed" },
      kind: { type: "string", valueName: "KIND", description: "attach or detach" },
      limit: { type: "string", valueName: "N", description: "at most N (default 100)" },
    },
    args: [],
    async run(ctx, { options }) {
      if (options.limit !== undefined && !/^\d+$/.test(options.limit))
        throw new UsageError(`--limit must be a whole number, got "${options.limit}"`);
      const { host, network, attachment, status, kind, limit } = options;
      // The server validates status and kind and names the field it refuses.
      const query = { host, network, attachment, status, kind, limit } as z.input<
        typeof operationListQuerySchema
      >;
      const { operations } = await ctx.client().call(apiRoutes.listOperations, { query });
      if (ctx.json) writeJson(ctx.io.stdout, { operations });
      else if (operations.length === 0) ctx.io.stdout.write("No operations.\n");
      else ctx.io.stdout.write(renderTable(OPERATION_COLUMNS, operationRows(operations, ctx.now())));
      return 0;
    },
  }),
  defineCommand({
    path: ["ops", "show"],
    aliases: ["get"],
    summary: "show one operation",
    options: {},
    args: [{ name: "ID", description: "operation id" }],
    async run(ctx, { args }) {
      const op = await ctx.client().call(apiRoutes.getOperation, { params: { id: args.ID } });
      if (ctx.json) writeJson(ctx.io.stdout, op);
      else ctx.io.stdout.write(formatOperation(op, ctx.now()));
      return op.status === "failed" ? 1 : 0;
    },
  }),
];
