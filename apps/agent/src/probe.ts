import { type Exec, ExecError, exec as realExec } from "@switchyard/netops";
import { type ProbeAck, probeRequestSchema } from "@switchyard/protocol";

const MAC = /\[([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5})\]/g;

/** MACs named in arping's "Unicast reply from A [MAC]" lines, lower case, without repeats. */
export function parseArpingMacs(output: string): string[] {
  const out = new Set<string>();
  for (const m of output.matchAll(MAC)) if (m[1]) out.add(m[1].toLowerCase());
  return [...out];
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Duplicate-address detection for the control plane's leak probe (`server:probe`), in the host's
 * namespace context: `arping -D -c N -w S -I IFACE ADDRESS` exits 0 when nothing answered and 1 when
 * something did; then one `arping -c 1 -s 0.0.0.0` (exit 0 on a reply) names the answering MAC
 * (arping -D's own output is lost with its non-zero exit). For an OVS network (`vlan` set, `iface` the
 * OVS bridge) it probes from a temporary internal port carrying the VLAN tag, removed afterwards.
 */
export async function runProbe(
  payload: unknown,
  exec: Exec = realExec,
  options: { ovsDb?: string } = {},
): Promise<ProbeAck> {
  const parsed = probeRequestSchema.safeParse(payload);
  if (!parsed.success)
    return { ok: false, error: `invalid probe request: ${parsed.error.issues[0]?.message}` };
  const request = parsed.data;
  if (request.vlan === undefined) return arping(request, request.iface, exec);
  const port = `syprobe${request.vlan}`;
  const vsctl = ["ovs-vsctl", ...(options.ovsDb ? [`--db=${options.ovsDb}`] : []), "--timeout=10"];
  try {
    await exec([
      ...vsctl,
      "--may-exist",
      "add-port",
      request.iface,
      port,
      `tag=${request.vlan}`,
      "--",
      "set",
      "interface",
      port,
      "type=internal",
    ]);
    await waitLink(exec, port);
    await exec(["ip", "link", "set", port, "up"]);
    return await arping(request, port, exec);
  } catch (err) {
    return { ok: false, error: errorText(err) };
  } finally {
    await exec([...vsctl, "--if-exists", "del-port", request.iface, port]).catch(() => undefined);
  }
}

async function waitLink(exec: Exec, name: string): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const ok = await exec(["ip", "link", "show", name]).then(
      () => true,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`probe port ${name} did not appear`);
}

async function arping(
  request: { address: string; count: number; timeoutMs: number },
  iface: string,
  exec: Exec,
): Promise<ProbeAck> {
  const { address, count, timeoutMs } = request;
  const seconds = String(Math.max(1, Math.ceil(timeoutMs / 1000)));
  const dad = ["arping", "-D", "-c", String(count), "-w", seconds, "-I", iface, address];
  try {
    const r = await exec(dad, { timeoutMs: timeoutMs + 2_000 });
    return { ok: true, answered: false, macs: [], output: (r.stdout + r.stderr).trim().slice(0, 4000) };
  } catch (err) {
    if (!(err instanceof ExecError) || err.exitCode !== 1) return { ok: false, error: errorText(err) };
  }
  // Something answered: ask once more to learn who.
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
    const text = errorText(err);
    return { ok: true, answered: true, macs: parseArpingMacs(text), output: text.slice(0, 4000) };
  }
}
