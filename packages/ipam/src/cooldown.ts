/**
 * A released address is quarantined for `cooldownSeconds` so stale ARP / neighbour caches elsewhere
 * expire before another endpoint gets it.
 */
export const reusableAt = (releasedAt: Date, cooldownSeconds: number): Date =>
  new Date(releasedAt.getTime() + cooldownSeconds * 1000);

/** True while a released address must not be handed to someone else. */
export const isCoolingDown = (reusable: Date | null, now: Date): boolean =>
  reusable !== null && reusable.getTime() > now.getTime();

/** An empty block goes back to the pool once it has been empty for the grace period. */
export const blockGraceOver = (emptySince: Date | null, graceSeconds: number, now: Date): boolean =>
  emptySince !== null && emptySince.getTime() + graceSeconds * 1000 <= now.getTime();
