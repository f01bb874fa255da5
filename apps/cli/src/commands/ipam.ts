import {
  type AddressHistory,
  type Allocation,
  apiRoutes,
  everyPage,
  type LeakFinding,
  type PoolDetail,
  type PoolSummary,
} from "@switchyard/protocol";
import type { ApiClient } from "../api";
import { defineCommand } from "../define";
import { CliError, UsageError } from "../errors";
import { formatTime, orDash, renderFields, renderTable } from "../format";
import { writeJson } from "../io";

const poolArg = { name: "POOL", description: "pool name or id" } as const;

async function hostId(client: ApiClient, nameOrId: string): Promise<string> {
  return (await client.call(apiRoutes.getHost, { params: { id: nameOrId } })).id;
}

function intOption(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value))
    throw new UsageError(`${flag} takes a whole number, not ${JSON.stringify(value)}`);
  return Number(value);
}

/** `10.0.0.1-10.0.0.9,10.0.0.20` -> ranges. */
function reservedOption(value: string | undefined): { first: string; last?: string }[] {
  if (!value) return [];
  return value
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "")
    .map((part) => {
      const [first, last, extra] = part.split("-");
      if (!first || extra !== undefined)
        throw new UsageError(`--reserve takes ADDRESS or FIRST-LAST, not ${part}`);
      return last ? { first, last } : { first };
    });
}

const bar = (used: number, total: number, width = 16) => {
  const filled = total === 0 ? 0 : Math.round((used / total) * width);
  return `${"#".repeat(filled)}${".".repeat(width - filled)}`;
};

export function formatPoolList(pools: readonly PoolSummary[]): string {
  return renderTable(
    ["NAME", "CIDR", "GATEWAY", "BLOCK", "ALLOCATED", "COOLING", "FREE", "BLOCKS", "BORROW"],
    pools.map((p) => [
      p.name,
      p.cidr,
      orDash(p.gateway),
      p.effectiveBlockSize,
      String(p.usage.allocated),
      String(p.usage.coolingDown),
      p.usage.free,
      `${p.usage.blocksClaimed}/${p.usage.blocksTotal}`,
      p.allowBorrow ? "yes" : "no",
    ]),
  );
}

const minuteUtc = (iso: string) => `${iso.slice(0, 16).replace("T", " ")}Z`;

/** The forecast in a line: the rate over its window and what runs out first, when. */
function forecastLine(pool: PoolDetail): string {
  const o = pool.outlook;
  const window = `${Math.round(o.rateWindowSeconds / 3600)}h`;
  const rate = `${o.ratePerHour > 0 ? "+" : ""}${o.ratePerHour}/h over the last ${window}`;
  if (!o.failsAt || !o.failsBecause) return `${rate}: nothing runs out`;
  const what = { addresses: "addresses", blocks: "free blocks", hosts: "a host's blocks (no free block)" };
  const hosts = o.hostsWithoutFreeBlock.map((h) => h.hostName ?? h.hostId ?? "?");
  return (
    `${rate}: ${what[o.failsBecause]} run out ${minuteUtc(o.failsAt)}` +
    (hosts.length > 0 ? `; without a free block: ${hosts.join(", ")}` : "")
  );
}

/** `yardctl ipam show`: settings, usage, forecast, blocks per host, then the block map. */
export function formatPoolDetail(pool: PoolDetail, now: Date): string {
  const u = pool.usage;
  const reserved = pool.reserved
    .map((r) => (r.first === r.last ? r.first : `${r.first}-${r.last}`))
    .join(", ");
  const out = [
    renderFields([
      ["Name", pool.name],
      ["ID", pool.id],
      ["CIDR", pool.cidr],
      ["Gateway", pool.gateway],
      ["Block size", pool.effectiveBlockSize],
      ["Reserved", reserved || null],
      ["Cooldown", `${pool.cooldownSeconds}s (empty blocks return after ${pool.blockGraceSeconds}s)`],
      ["Borrowing", pool.allowBorrow ? "allowed" : "off"],
      [
        "Addresses",
        `${u.allocated} allocated, ${u.coolingDown} cooling down, ${u.free} free of ${u.usable} usable (${u.size} in subnet)`,
      ],
      ["Blocks", `${u.blocksClaimed} claimed, ${u.blocksFree} free of ${u.blocksTotal}`],
      ["Forecast", forecastLine(pool)],
      [
        "Alert",
        pool.alert
          ? `exhaustion since ${minuteUtc(pool.alert.raisedAt)}, fails ${minuteUtc(pool.alert.failsAt)}`
          : null,
      ],
      ["Created", formatTime(pool.createdAt, now)],
    ]),
  ];
  if (u.hosts.length > 0) {
    out.push(
      "\nHosts\n",
      renderTable(
        ["HOST", "BLOCKS", "ALLOCATED", "CAPACITY"],
        u.hosts.map((h) => [
          orDash(h.hostName ?? h.hostId),
          String(h.blocks),
          String(h.allocated),
          String(h.capacity),
        ]),
      ),
    );
  }
  if (pool.blocks.length > 0) {
    out.push(
      "\nBlock map\n",
      renderTable(
        ["BLOCK", "FIRST", "LAST", "HOST", "USED", "COOLING", "MAP"],
        pool.blocks.map((b) => [
          b.index,
          b.first,
          b.last,
          orDash(b.hostName ?? b.hostId),
          `${b.allocated}/${b.usable}`,
          String(b.coolingDown),
          bar(b.allocated + b.coolingDown, b.usable),
        ]),
      ),
    );
  }
  return out.join("");
}

export function formatAllocations(allocations: readonly Allocation[], now: Date): string {
  return renderTable(
    ["ADDRESS", "STATE", "HOST", "SOURCE", "KEY", "ALLOCATED", "REASON"],
    allocations.map((a) => [
      a.address,
      a.state,
      orDash(a.hostId),
      a.source,
      orDash(a.stickyKey),
      formatTime(a.allocatedAt, now),
      orDash(a.state === "active" ? a.reason : a.releaseReason),
    ]),
  );
}

export function formatFindings(findings: readonly LeakFinding[], now: Date): string {
  return renderTable(
    ["STATE", "KIND", "ADDRESS", "POOL", "HOST", "CONTAINER", "FIRST SEEN", "EVIDENCE"],
    findings.map((f) => [
      f.state,
      f.kind,
      f.address,
      orDash(f.poolName),
      orDash(f.hostName),
      orDash(f.container ? `${f.container}${f.ifname ? ` ${f.ifname}` : ""}` : f.ifname),
      formatTime(f.firstSeenAt, now),
      f.evidence.detail,
    ]),
  );
}

export function formatHistory(history: AddressHistory, now: Date): string {
  const head = `${history.address} in pool ${history.pool.name} (${history.pool.cidr})\n`;
  if (history.events.length === 0) return `${head}No history.\n`;
  return (
    head +
    renderTable(
      ["WHEN", "EVENT", "BY", "HOST", "WHY", "WHAT"],
      history.events.map((e) => [
        formatTime(e.at, now),
        e.kind,
        orDash(e.actor),
        orDash(e.hostName),
        orDash(e.reason),
        e.summary,
      ]),
    )
  );
}

export const commands = [
  defineCommand({
    path: ["ipam", "pools"],
    summary: "list address pools with their usage",
    options: {},
    args: [],
    async run(ctx) {
      const client = ctx.client();
      const pools = await everyPage(
        (query) => client.call(apiRoutes.listPools, { query }),
        (p) => p.pools,
      );
      if (ctx.json) writeJson(ctx.io.stdout, { pools });
      else if (pools.length === 0)
        ctx.io.stdout.write("No pools yet. Add one with: yardctl ipam create NAME --cidr CIDR\n");
      else ctx.io.stdout.write(formatPoolList(pools));
      return 0;
    },
  }),
  defineCommand({
    path: ["ipam", "show"],
    summary: "show a pool: usage, blocks per host, block map",
    options: {},
    args: [poolArg],
    async run(ctx, { args }) {
      const pool = await ctx.client().call(apiRoutes.getPool, { params: { id: args.POOL } });
      if (ctx.json) writeJson(ctx.io.stdout, pool);
      else ctx.io.stdout.write(formatPoolDetail(pool, ctx.now()));
      return 0;
    },
  }),
  defineCommand({
    path: ["ipam", "create"],
    summary: "create an address pool",
    description: "Hosts get aligned blocks of --block-size addresses from the pool on demand.",
    options: {
      cidr: { type: "string", valueName: "CIDR", description: "the subnet, e.g. 10.10.103.0/24 (required)" },
      gateway: { type: "string", valueName: "ADDRESS", description: "gateway address (reserved)" },
      "block-size": {
        type: "string",
        valueName: "N",
        description: "addresses per host block, a power of two (16)",
      },
      reserve: { type: "string", valueName: "RANGES", description: "reserved addresses: A,B-C,..." },
      cooldown: {
        type: "string",
        valueName: "SECONDS",
        description: "quarantine of a released address (60)",
      },
      grace: {
        type: "string",
        valueName: "SECONDS",
        description: "an empty block returns to the pool after (300)",
      },
      borrow: {
        type: "boolean",
        description: "when no block is free, take a free address from another host's block",
      },
      description: { type: "string", valueName: "TEXT", description: "what the pool is for" },
    },
    args: [{ name: "NAME", description: "pool name" }],
    async run(ctx, { args, options }) {
      if (!options.cidr) throw new UsageError("--cidr is required");
      const body = {
        name: args.NAME,
        cidr: options.cidr,
        ...(options.gateway ? { gateway: options.gateway } : {}),
        ...(options["block-size"] ? { blockSize: intOption(options["block-size"], "--block-size") } : {}),
        reserved: reservedOption(options.reserve),
        ...(options.cooldown ? { cooldownSeconds: intOption(options.cooldown, "--cooldown") } : {}),
        ...(options.grace ? { blockGraceSeconds: intOption(options.grace, "--grace") } : {}),
        allowBorrow: options.borrow,
        ...(options.description ? { description: options.description } : {}),
      };
      const pool = await ctx.client().call(apiRoutes.createPool, { body });
      if (ctx.json) writeJson(ctx.io.stdout, pool);
      else
        ctx.io.stdout.write(
          `Created pool ${pool.name} (${pool.cidr}, blocks of ${pool.effectiveBlockSize}).\n`,
        );
      return 0;
    },
  }),
  defineCommand({
    path: ["ipam", "allocate"],
    summary: "allocate an address of a pool to a host",
    options: {
      host: { type: "string", valueName: "HOST", description: "host name or id (required)" },
      ip: { type: "string", valueName: "ADDRESS", description: "this exact address" },
      key: {
        type: "string",
        valueName: "KEY",
        description: "sticky key: the same key gets the same address back",
      },
      reason: { type: "string", valueName: "TEXT", description: "why, kept in the history" },
    },
    args: [poolArg],
    async run(ctx, { args, options }) {
      if (!options.host) throw new UsageError("--host is required");
      const client = ctx.client();
      const body = {
        hostId: await hostId(client, options.host),
        ...(options.ip ? { address: options.ip } : {}),
        ...(options.key ? { stickyKey: options.key } : {}),
        ...(options.reason ? { reason: options.reason } : {}),
      };
      const a = await client.call(apiRoutes.allocate, { params: { id: args.POOL }, body });
      if (ctx.json) writeJson(ctx.io.stdout, a);
      else ctx.io.stdout.write(`${a.address}/${a.prefix}${a.gateway ? ` gateway ${a.gateway}` : ""}\n`);
      return 0;
    },
  }),
  defineCommand({
    path: ["ipam", "release"],
    summary: "release a leaked address, verified again at that moment (it cools down before reuse)",
    description:
      "yardctl ipam release ADDRESS --pool P --reason TEXT re-verifies against the latest inventories and refuses " +
      "(exit 1) when the container came back or the address is live; the host's agent removes the leftovers. " +
      "--undo restores the last release of the address while it still cools down. " +
      "The older form `ipam release POOL ADDRESS --reason TEXT` releases an address without verification.",
    options: {
      pool: { type: "string", valueName: "POOL", description: "pool (or network) name or id" },
      reason: { type: "string", valueName: "TEXT", description: "why (required, kept in the history)" },
      undo: { type: "boolean", description: "undo the last release of ADDRESS (while it cools down)" },
    },
    args: [
      { name: "ADDRESS", description: "the address to release (or POOL in the older form)" },
      { name: "ADDRESS2", description: "the address, in the older form POOL ADDRESS", optional: true },
    ],
    async run(ctx, { args, options }) {
      const client = ctx.client();
      if (args.ADDRESS2 !== undefined) {
        // Older form: plain IPAM release, no verification.
        if (options.pool) throw new UsageError("give either --pool P ADDRESS or POOL ADDRESS");
        if (!options.reason) throw new UsageError("--reason is required");
        const params = { id: args.ADDRESS, address: args.ADDRESS2 };
        const a = await client.call(apiRoutes.release, { params, body: { reason: options.reason } });
        if (ctx.json) writeJson(ctx.io.stdout, a);
        else ctx.io.stdout.write(`Released ${a.address}; reusable by others from ${orDash(a.reusableAt)}.\n`);
        return 0;
      }
      if (!options.pool) throw new UsageError("--pool is required");
      if (options.undo) {
        const query = { pool: options.pool, address: args.ADDRESS };
        const history = await client.call(apiRoutes.addressHistory, { query });
        const last = [...history.releases].reverse().find((r) => r.undoneAt === null);
        if (!last) throw new CliError(`no release of ${args.ADDRESS} in pool ${options.pool} to undo`);
        const body = options.reason ? { reason: options.reason } : {};
        const undone = await client.call(apiRoutes.undoLeakRelease, { params: { id: last.id }, body });
        if (ctx.json) writeJson(ctx.io.stdout, undone);
        else ctx.io.stdout.write(`Restored ${undone.address} (release of ${undone.releasedAt} undone).\n`);
        return 0;
      }
      if (!options.reason) throw new UsageError("--reason is required");
      const res = await client.call(apiRoutes.releaseLeaks, {
        body: { pool: options.pool, address: args.ADDRESS, reason: options.reason },
      });
      const r = res.results[0]?.release;
      if (ctx.json) writeJson(ctx.io.stdout, res);
      else if (r)
        ctx.io.stdout.write(
          `Released ${r.address} (${r.verification}); reusable by others from ${orDash(r.reusableAt)}.\n`,
        );
      return 0;
    },
  }),
  defineCommand({
    path: ["ipam", "check"],
    summary: "check every allocated address against what the agents see (leaks)",
    options: {},
    args: [],
    async run(ctx) {
      const result = await ctx.client().call(apiRoutes.runLeakCheck);
      if (ctx.json) writeJson(ctx.io.stdout, result);
      else {
        ctx.io.stdout.write(
          `Checked ${result.allocations} allocations on ${result.hosts} hosts in ${result.durationMs} ms: ` +
            `${result.open} open, ${result.pending} pending (within the grace period).\n`,
        );
        if (result.findings.length > 0) ctx.io.stdout.write(formatFindings(result.findings, ctx.now()));
      }
      return 0;
    },
  }),
  defineCommand({
    path: ["ipam", "history"],
    summary: "everything that happened to an address: allocations, holders, findings, releases",
    options: {
      pool: { type: "string", valueName: "POOL", description: "pool (or network) name or id (required)" },
    },
    args: [{ name: "ADDRESS", description: "the address" }],
    async run(ctx, { args, options }) {
      if (!options.pool) throw new UsageError("--pool is required");
      const query = { pool: options.pool, address: args.ADDRESS };
      const history = await ctx.client().call(apiRoutes.addressHistory, { query });
      if (ctx.json) writeJson(ctx.io.stdout, history);
      else ctx.io.stdout.write(formatHistory(history, ctx.now()));
      return 0;
    },
  }),
  defineCommand({
    path: ["ipam", "allocations"],
    summary: "list a pool's held addresses (or its whole history)",
    options: {
      host: { type: "string", valueName: "HOST", description: "only this host's (name or id)" },
      all: { type: "boolean", description: "include released addresses (history)" },
    },
    args: [poolArg],
    async run(ctx, { args, options }) {
      const client = ctx.client();
      const query = {
        state: options.all ? ("all" as const) : ("held" as const),
        hostId: options.host ? await hostId(client, options.host) : undefined,
      };
      const { allocations } = await client.call(apiRoutes.listAllocations, {
        params: { id: args.POOL },
        query,
      });
      if (ctx.json) writeJson(ctx.io.stdout, { allocations });
      else
        ctx.io.stdout.write(
          allocations.length === 0 ? "No allocations.\n" : formatAllocations(allocations, ctx.now()),
        );
      return 0;
    },
  }),
];
