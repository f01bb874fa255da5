import { usagePercent } from "./block-map";

/** Used / usable as a bar with numbers. Test id via `testId` (data-used, data-free, data-usable). */
export function UsageBar({
  allocated,
  coolingDown,
  usable,
  free,
  testId,
}: {
  allocated: number;
  coolingDown: number;
  usable: string;
  free: string;
  testId?: string;
}) {
  const used = usagePercent(allocated, usable);
  const cooling = usagePercent(coolingDown, usable);
  return (
    <div className="usage" data-testid={testId} data-used={allocated} data-free={free} data-usable={usable}>
      <div className="usage-bar" aria-hidden="true">
        <span className="usage-used" style={{ width: `${Math.min(100, used)}%` }} />
        <span className="usage-cooling" style={{ width: `${Math.min(100 - used, cooling)}%` }} />
      </div>
      <span className="usage-text">
        {allocated} used{coolingDown > 0 ? `, ${coolingDown} cooling` : ""} · {free} free of {usable} ({used}
        %)
      </span>
    </div>
  );
}
