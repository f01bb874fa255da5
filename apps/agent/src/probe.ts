import { type Exec, ExecError, exec as realExec } from "@switchyard/netops";
import { type ProbeAck, probeRequestSchema } from "@switchyard/protocol";

const MAC = /\[([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})\]/g;

/** MACs named in arping's "Unicast reply from A [MAC]" lines, lower case, without repeats. */
export function parseArpingMacs(output: string): string[] {
  const out = new Set<string>();
  for (const m of output.matchAll(MAC)) if (m[1]) out.add(m[1].toLowerCase());
  return [...out];
}

/**
 * Duplicate-address detection for the control plane's leak probe (`server:probe`):
 * `arping -D -c N -w S -I IFACE ADDRESS` in the host's namespace context. arping -D exits 0 when
 * nothing answered and 1 when something did; then one `arping -c 1 -s 0.0.0.0` (exit 0 on a reply) names the answering MAC
 * (arping -D's own output is lost with its non-zero exit).
 */
export async function runProbe(payload: unknown, exec: Exec = realExec): Promise<ProbeAck> {
  const parsed = probeRequestSchema.safeParse(payload);
  if (!parsed.success)
    return { ok: false, error: `invalid probe request: ${parsed.error.issues[0]?.message}` };
  const { address, iface, count, timeoutMs } = parsed.data;
  const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  const dad = ["arping", "-D", "-c", String(count), "-w", seconds, "-I", iface, address];
  try {
    const r = await exec(dad, { timeoutMs: timeoutMs + 2_000 });
    return { ok: true, answered: false, macs: [], output: (r.stdout + r.stderr).trim().slice(0, 4000) };
  } catch (err) {
    if (!(err instanceof ExecError) || err.exitCode !== 1) {
      return { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
  }
  // Something answered: ask once more, normally, to learn who.
  try {
    const r = await exec(["arping", "-c", "1", "-w", seconds, "-s", "0.0.0.0", "-I", iface, address], {
      timeoutMs: timeoutMs + 2_000,
    });
    return {
      ok: true,
      answered: true,
      macs: parseArpingMacs(r.stdout),
      output: r.stdout.trim().slice(0, 4000),
    };
  } catch (err) {
    const text = err instanceof Error ? err.message : String(err);
    return { ok: true, answered: true, macs: parseArpingMacs(text), output: text.slice(0, 4000) };
  }
}
