import type { OperationStatus } from "@switchyard/protocol";

export function OperationStatusBadge({ status }: { status: OperationStatus }) {
  return (
    <span className={`status-badge op-${status}`} data-status={status}>
      {status}
    </span>
  );
}
