import type { NetworkDriver } from "@switchyard/protocol";

export function DriverBadge({ driver }: { driver: NetworkDriver }) {
  return (
    <span className={`driver-badge driver-${driver}`} data-driver={driver}>
      {driver}
    </span>
  );
}
