import type { HostStatus } from "@switchyard/protocol";

export function StatusBadge({ status }: { status: HostStatus }) {
  return (
    <span className={`status-badge status-${status}`} data-status={status}>
      {status}
    </span>
  );
}
