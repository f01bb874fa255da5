import type { AttachmentStatus } from "@switchyard/protocol";

export function AttachmentStatusBadge({ status }: { status: AttachmentStatus }) {
  return (
    <span className={`status-badge att-${status}`} data-status={status}>
      {status}
    </span>
  );
}
