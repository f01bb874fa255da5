/**
 * `npm run bench -- netlink [--count N]`: the cost of one kernel change on the hot path (a veth pair
 * created, its host end enslaved to a bridge and brought up, as one request each way) three ways:
 * spawning `ip` per change, one long-lived `ip -batch -` fed line by line, and rtnetlink from the
 * process through npm `netlink` 0.3.0. Runs in a network namespace of its own (re-executing itself
 * there: a netlink socket talks to the namespace its thread is in); prints JSON. Root only.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { AttrStream, createRtNetlink, FlagsNew, ifla, rt } from "netlink";
import { exec } from "../../packages/netops/src/exec";

const { values } = parseArgs({
  options: { count: { type: "string" }, inner: { type: "boolean" } },
  strict: true,
});
const count = Number(values.count ?? 100);

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) => Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? 0) * 100) / 100;
  return { n: s.length, p50: q(0.5), p95: q(0.95), p99: q(0.99), max: q(1) };
}

const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const names = (method: string, i: number) => [`b${method}${i}a`, `b${method}${i}b`] as const;

async function viaSpawn(): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const [a, b] = names("s", i);
    const t = process.hrtime.bigint();
    await exec(["ip", "link", "add", a, "master", "br0", "up", "type", "veth", "peer", "name", b]);
    out.push(ms(t));
  }
  return out;
}

async function viaBatch(): Promise<number[]> {
  // -force: a failing line does not end the batch. `link show` after each change prints a line we wait
  // for, so a sample ends when ip has done the change (ip -batch acknowledges nothing by itself).
  const child = spawn("ip", ["-o", "-force", "-batch", "-"], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on("line", (line) => waiting.shift()?.(line));
  const out: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const [a, b] = names("b", i);
      const t = process.hrtime.bigint();
      const seen = new Promise<string>((resolve) => waiting.push(resolve));
      child.stdin.write(`link add ${a} master br0 up type veth peer name ${b}\nlink show dev ${a}\n`);
      const line = await seen;
      if (!line.includes(a)) throw new Error(`ip -batch: unexpected output ${line}`);
      out.push(ms(t));
    }
  } finally {
    child.stdin.end();
  }
  return out;
}

function attrs(data: Parameters<AttrStream["emit"]>[0]): Buffer {
  const s = new AttrStream();
  s.emit(data);
  return Buffer.concat(s.bufs);
}

async function viaNetlink(): Promise<number[]> {
  const socket = createRtNetlink();
  // A dump ignores a name filter: pick the bridge from the list.
  const bridge = (await socket.getLinks()).find((l) => l.attrs.ifname === "br0");
  const master = bridge?.data.index;
  if (master === undefined) throw new Error("netlink: br0 not found");
  const out: number[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const [a, b] = names("n", i);
      const t = process.hrtime.bigint();
      // IFLA_LINKINFO arrives as raw bytes in 0.3.0: veth's peer is an ifinfomsg plus its attributes.
      const peer = Buffer.concat([attrs(rt.formatLink({})), attrs(ifla.formatLinkAttrs({ ifname: b }))]);
      const linkinfo = attrs(ifla.formatInfo({ kind: "veth", data: attrs(ifla.formatVethInfo({ peer })) }));
      await socket.newLink(
        { flags: { up: true }, change: { up: true } },
        { ifname: a, master, linkinfo },
        { flags: FlagsNew.CREATE | FlagsNew.EXCL },
      );
      out.push(ms(t));
    }
  } finally {
    socket.socket.close();
  }
  return out;
}

async function inner(): Promise<void> {
  await exec(["ip", "link", "set", "lo", "up"]);
  await exec(["ip", "link", "add", "br0", "type", "bridge"]);
  await exec(["ip", "link", "set", "br0", "up"]);
  const result: Record<string, ReturnType<typeof stats>> = {};
  for (const [name, letter, run] of [
    ["spawn_ip", "s", viaSpawn],
    ["ip_batch", "b", viaBatch],
    ["netlink", "n", viaNetlink],
  ] as const) {
    result[name] = stats(await run());
    // Each way must have made the same thing: `count` host ends on br0 and their peers by name.
    const onBridge = JSON.parse((await exec(["ip", "-j", "link", "show", "master", "br0"])).stdout) as {
      ifname: string;
    }[];
    const all = JSON.parse((await exec(["ip", "-j", "link", "show"])).stdout) as { ifname: string }[];
    const peers = all.filter((l) => new RegExp(`^b${letter}\\d+b$`).test(l.ifname)).length;
    if (onBridge.length !== count || peers !== count)
      throw new Error(`${name}: ${onBridge.length} host ends on br0 and ${peers} peers, expected ${count}`);
    const batch = Array.from({ length: count }, (_, i) => `link del ${names(letter, i)[0]}`);
    await exec(["ip", "-force", "-batch", "-"], { input: `${batch.join("\n")}\n` }).catch(() => undefined);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error("netlink bench: must run as root");
  const ns = `sybnl${randomBytes(2).toString("hex")}`;
  await exec(["ip", "netns", "add", ns]);
  try {
    const { stdout } = await exec(
      [
        "ip",
        "netns",
        "exec",
        ns,
        process.execPath,
        "--import",
        "tsx",
        import.meta.filename,
        "--inner",
        "--count",
        String(count),
      ],
      { timeoutMs: 600_000 },
    );
    const measured = JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}");
    const what =
      "veth pair created + host end enslaved to a Linux bridge + up, one request each way (ms per change)";
    process.stdout.write(`${JSON.stringify({ bench: "netlink", what, count, ...measured }, null, 2)}\n`);
  } finally {
    await exec(["ip", "netns", "delete", ns]);
  }
}

await (values.inner ? inner() : main());
