"use client";

import { formatRelativeTime, formatTimestamp } from "./relative-time";
import { useNow } from "./use-now";

export function RelativeTime({ iso }: { iso: string | null }) {
  const now = useNow();
  return (
    <time dateTime={iso ?? undefined} title={formatTimestamp(iso)} suppressHydrationWarning>
      {formatRelativeTime(iso, now)}
    </time>
  );
}
