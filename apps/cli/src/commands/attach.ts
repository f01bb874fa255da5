import { randomUUID } from "node:crypto";
import { type Attachment, type AttachmentOperation, apiRoutes, type Operation } from "@switchyard/protocol";
import type { ApiClient } from "../api";
import { defineCommand } from "../define";
import { CliError, UsageError } from "../errors";
import { formatAge, orDash, renderTable } from "../format";
import { writeJson } from "../io";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls the operation until it is applied or failed; throws on timeout. */
export async function waitForOperation(
  client: ApiClient,
  id: string,
  timeoutMs: number,
  pollMs = 250,
): Promise<Operation> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const op = await client.call(apiRoutes.getOperation, { params: { id } });
    if (op.status === "applied" || op.status === "failed") return op;
    if (Date.now() >= deadline) {
      throw new CliError(
        `operation ${id} is still ${op.status} after ${Math.round(timeoutMs / 1000)} s`,
        op.status === "pending"
          ? "the host's agent is not connected; the operation is applied when it comes back (see 'yardctl ops ls')"
          : "see 'yardctl ops show ID' later",
      );
    }
    await sleep(pollMs);
  }
}

/** "90s", "2m", "500ms" or a number of seconds. */
function timeout(text: string | undefined): number {
  if (text === undefined) return 120_000;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m?.[1]) throw new UsageError(`--timeout: "${text}" is not a duration (examples: 30s, 2m)`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Math.round(Number(m[1]) * unit);
}

const describe = (a: Attachment) =>
  `${a.container.runtime}:${a.container.ref} ${a.ifname} ${a.address}/${a.prefixLength} on ${a.hostName} (${a.networkName})`;

/** Prints the outcome; exits 1 with the agent's error when the operation failed. */
function finish(
  ctx: { json: boolean; io: { stdout: { write(s: string): void } } },
  result: AttachmentOperation,
  waited: boolean,
  verb: string,
): number {
  const { attachment, operation } = result;
  if (ctx.json) writeJson(ctx.io.stdout, result);
  if (operation.status === "failed") {
    throw new CliError(
      `${operation.kind} of ${describe(attachment)} failed: ${operation.error ?? "unknown error"}`,
    );
  }
  if (ctx.json) return 0;
  if (!waited) {
    ctx.io.stdout.write(
      `${verb} ${describe(attachment)}: attachment ${attachment.id}, operation ${operation.id} ${operation.status}.\n`,
    );
  } else {
    const extra = [
      attachment.hostIfname && operation.kind === "attach" ? `host interface ${attachment.hostIfname}` : null,
      operation.durationMs !== null ? `agent ${operation.durationMs} ms` : null,
    ].filter(Boolean);
    ctx.io.stdout.write(
      `${operation.kind === "attach" ? "Attached" : "Detached"} ${describe(attachment)}${extra.length ? ` (${extra.join(", ")})` : ""}.\n`,
    );
  }
  return 0;
}

export const commands = [
  defineCommand({
    path: ["attach"],
    summary: "attach a container to a network on a host",
    description: [
      "CONTAINER is docker:NAME-OR-ID, netns:NAME, or a bare name: a bare name is the named network",
      "namespace when the host's inventory lists one of that name, a Docker container otherwise.",
      "The address comes from the network's IPAM pool unless --ip names one.",
      "Example: yardctl attach --host h1 --container con1 --network vlan100 --wait",
    ].join("\n"),
    options: {
      host: { type: "string", valueName: "HOST", description: "host name or id" },
      container: { type: "string", valueName: "CONTAINER", description: "docker:NAME, netns:NAME or NAME" },
      network: { type: "string", valueName: "NETWORK", description: "network name or id" },
      ip: { type: "string", valueName: "ADDRESS", description: "this exact address (checked by IPAM)" },
      mac: {
        type: "string",
        valueName: "MAC",
        description: "MAC address (default: derived from the attachment id)",
      },
      ifname: {
        type: "string",
        valueName: "NAME",
        description: "interface name in the container (default eth1)",
      },
      gateway: { type: "boolean", description: "make the network's gateway the container's default route" },
      key: {
        type: "string",
        valueName: "KEY",
        description: "sticky key: the same key gets the same address back",
      },
      "request-id": {
        type: "string",
        valueName: "ID",
        description: "idempotency key: the same ID again returns the first attachment (default: new per run)",
      },
      reason: { type: "string", valueName: "TEXT", description: "why, for the audit log" },
      wait: {
        type: "boolean",
        description: "wait until the agent applied it; exit 1 with its error on failure",
      },
      timeout: { type: "string", valueName: "DUR", description: "how long --wait waits (default 2m)" },
    },
    args: [],
    async run(ctx, { options }) {
      const { host, container, network } = options;
      if (!host) throw new UsageError("--host is required");
      if (!container) throw new UsageError("--container is required");
      if (!network) throw new UsageError("--network is required");
      const waitMs = timeout(options.timeout);
      const client = ctx.client();
      const body = {
        host,
        container,
        network,
        ...(options.ip ? { address: options.ip } : {}),
        ...(options.mac ? { mac: options.mac } : {}),
        ...(options.ifname ? { ifname: options.ifname } : {}),
        ...(options.gateway ? { setDefaultRoute: true } : {}),
        ...(options.key ? { stickyKey: options.key } : {}),
        ...(options.reason ? { reason: options.reason } : {}),
        idempotencyKey: options["request-id"] || randomUUID(),
      };
      // The key makes a resend safe: when the connection failed after the server may have acted, the
      // second try answers with the attachment the first one created.
      const post = () => client.call(apiRoutes.attach, { body });
      let result = await post().catch((err: unknown) => {
        if (err instanceof CliError && err.message.startsWith("cannot reach")) return post();
        throw err;
      });
      if (options.wait) {
        const operation = await waitForOperation(client, result.operation.id, waitMs);
        const attachment = await client.call(apiRoutes.getAttachment, {
          params: { id: result.attachment.id },
        });
        result = { attachment, operation };
      }
      return finish(ctx, result, options.wait, "Attaching");
    },
  }),
  defineCommand({
    path: ["detach"],
    summary: "detach an attachment (removes its interface; its address cools down in IPAM)",
    options: {
      reason: { type: "string", valueName: "TEXT", description: "why, for the audit log" },
      wait: {
        type: "boolean",
        description: "wait until the agent removed it; exit 1 with its error on failure",
      },
      timeout: { type: "string", valueName: "DUR", description: "how long --wait waits (default 2m)" },
    },
    args: [{ name: "ID", description: "attachment id (see 'yardctl attachments ls')" }],
    async run(ctx, { args, options }) {
      const waitMs = timeout(options.timeout);
      const client = ctx.client();
      const params = { id: args.ID };
      let result = await client.call(apiRoutes.detach, {
        params,
        body: options.reason ? { reason: options.reason } : {},
      });
      if (options.wait) {
        const operation = await waitForOperation(client, result.operation.id, waitMs);
        result = { attachment: await client.call(apiRoutes.getAttachment, { params }), operation };
      }
      return finish(ctx, result, options.wait, "Detaching");
    },
  }),
  defineCommand({
    path: ["attachments", "ls"],
    aliases: ["list"],
    summary: "list attachments (detached ones with --all)",
    options: {
      host: { type: "string", valueName: "HOST", description: "only this host (name or id)" },
      network: { type: "string", valueName: "NETWORK", description: "only this network (name or id)" },
      all: { type: "boolean", description: "include detached attachments" },
    },
    args: [],
    async run(ctx, { options }) {
      const query = {
        host: options.host,
        network: options.network,
        all: options.all ? ("true" as const) : undefined,
      };
      const { attachments } = await ctx.client().call(apiRoutes.listAttachments, { query });
      if (ctx.json) writeJson(ctx.io.stdout, { attachments });
      else if (attachments.length === 0) ctx.io.stdout.write("No attachments.\n");
      else {
        const now = ctx.now();
        ctx.io.stdout.write(
          renderTable(
            [
              "ID",
              "HOST",
              "NETWORK",
              "CONTAINER",
              "IFNAME",
              "ADDRESS",
              "STATUS",
              "HOST IF",
              "CREATED",
              "ERROR",
            ],
            attachments.map((a) => [
              a.id,
              a.hostName,
              a.networkName,
              `${a.container.runtime}:${a.container.ref}`,
              a.ifname,
              `${a.address}/${a.prefixLength}`,
              a.status,
              orDash(a.hostIfname),
              formatAge(a.createdAt, now),
              orDash(a.error),
            ]),
          ),
        );
      }
      return 0;
    },
  }),
];
