import type { LeakFinding } from "@switchyard/protocol";
import type { TopologyElement } from "../graph/elements";

/**
 * Marks where open leak findings are on the topology graph (pure): a container whose address is leaked
 * (interface missing, mismatch, unknown or duplicate address) gets class `leak`; the host of a finding
 * whose container is gone or whose host is offline gets class `leak-host`. Elements not involved are
 * returned as they are (same objects), so the graph's diff stays small.
 */
export function markLeaks(
  elements: readonly TopologyElement[],
  findings: readonly LeakFinding[],
): TopologyElement[] {
  const open = findings.filter((f) => f.state === "open");
  if (open.length === 0) return [...elements];
  const containers = new Set<string>();
  const hosts = new Set<string>();
  for (const f of open) {
    if (!f.hostId) continue;
    const seen = f.evidence.seen.filter((s) => s.container !== null);
    if (f.kind === "host_offline" || f.kind === "container_gone") hosts.add(f.hostId);
    else if (f.container) containers.add(`${f.hostId}|${f.container.slice(f.container.indexOf(":") + 1)}`);
    for (const s of seen)
      containers.add(`${s.hostId}|${(s.container ?? "").slice((s.container ?? "").indexOf(":") + 1)}`);
  }
  return elements.map((e) => {
    if (e.group !== "nodes") return e;
    const d = e.data;
    const isLeakContainer =
      d.kind === "container" &&
      (containers.has(`${d.hostId}|${d.name}`) ||
        (d.containerId ? containers.has(`${d.hostId}|${d.containerId}`) : false));
    const isLeakHost = d.kind === "host" && hosts.has(d.hostId);
    if (!isLeakContainer && !isLeakHost) return e;
    return { ...e, classes: `${e.classes} ${isLeakHost ? "leak-host" : "leak"}` };
  });
}
