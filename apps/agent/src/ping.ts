import {
  type DockerClient,
  type Exec,
  ExecError,
  exec as realExec,
  resolveContainer,
} from "@switchyard/netops";
import { type PingResult, pingRequestSchema } from "@switchyard/protocol";

const TRANSMITTED = /(\d+) packets transmitted, (\d+) received/;
const RTT = /= ([\d.]+)\/([\d.]+)\/([\d.]+)\/[\d.]+ ms/;
const MAX_OUTPUT = 2_000;

/** Sent, received and rtt min/avg/max from iputils ping's summary (null fields when it printed none). */
export function parsePingOutput(output: string): Pick<PingResult, "sent" | "received" | "rttMs"> | null {
  const counts = TRANSMITTED.exec(output);
  if (!counts) return null;
  const rtt = RTT.exec(output);
  return {
    sent: Number(counts[1]),
    received: Number(counts[2]),
    rttMs: rtt ? { min: Number(rtt[1]), avg: Number(rtt[2]), max: Number(rtt[3]) } : null,
  };
}

const bounded = (text: string) => text.trim().slice(0, MAX_OUTPUT);

/**
 * The trace test's ping (`server:ping`): `ping -c N -i 0.2 -W S -n -- ADDRESS` inside the container's
 * network namespace (`nsenter --net=`, through the host's Exec, so an agent with --netns reaches it too).
 * Bounded: at most 5 packets 200 ms apart, each answered within S seconds, and the whole run within
 * N + S + 3 s. The address is an IP by the schema and comes after `--`, so it is never an option.
 * Exit 1 is "no reply" (its statistics still parsed); anything else is ping's own error text.
 */
export async function runPing(
  payload: unknown,
  exec: Exec = realExec,
  deps: { docker?: DockerClient; netnsDir?: string } = {},
): Promise<PingResult> {
  const parsed = pingRequestSchema.safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return failed(0, `invalid ping request: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  const { container, address, count, timeoutMs } = parsed.data;
  let path: string;
  try {
    path = (await resolveContainer(container, deps)).path;
  } catch (err) {
    return failed(0, err instanceof Error ? err.message : String(err));
  }
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  const argv = [
    ...["nsenter", `--net=${path}`, "--"],
    ...["ping", "-c", String(count), "-i", "0.2", "-W", String(seconds), "-n", "--", address],
  ];
  try {
    const r = await exec(argv, { timeoutMs: (count + seconds + 3) * 1000 });
    const stats = parsePingOutput(r.stdout);
    return {
      sent: stats?.sent ?? count,
      received: stats?.received ?? 0,
      rttMs: stats?.rttMs ?? null,
      error: stats && stats.received > 0 ? null : "no reply",
      output: bounded(r.stdout),
    };
  } catch (err) {
    if (err instanceof ExecError && err.exitCode === 1) {
      const stats = parsePingOutput(err.stdout);
      return {
        sent: stats?.sent ?? count,
        received: stats?.received ?? 0,
        rttMs: stats?.rttMs ?? null,
        error: `no reply from ${address}`,
        output: bounded(err.stdout),
      };
    }
    const text =
      err instanceof ExecError
        ? err.timedOut
          ? "ping timed out"
          : bounded(err.stderr)
        : err instanceof Error
          ? err.message
          : String(err);
    return failed(0, text || "ping failed");
  }
}

const failed = (sent: number, error: string): PingResult => ({
  sent,
  received: 0,
  rttMs: null,
  error,
  output: "",
});
