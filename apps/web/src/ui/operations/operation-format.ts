import type { Operation } from "@switchyard/protocol";

/** Request-to-finish time ("820 ms", "3.4 s", "2 min"); "—" while unfinished. Agent time in brackets. */
export function operationDuration(op: Pick<Operation, "createdAt" | "finishedAt" | "durationMs">): string {
  if (!op.finishedAt) return "—";
  const total = Date.parse(op.finishedAt) - Date.parse(op.createdAt);
  if (Number.isNaN(total)) return "—";
  const agent = op.durationMs !== null ? ` (agent ${formatMs(op.durationMs)})` : "";
  return `${formatMs(Math.max(0, total))}${agent}`;
}

function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
