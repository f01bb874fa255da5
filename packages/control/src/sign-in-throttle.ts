import { type Actor, recordAudit } from "./audit";
import type { ServiceContext } from "./context";
import { DomainError } from "./errors";

export interface ThrottleSettings {
  /** Failures per key before the first lock. */
  freeFailures: number;
  /** The first lock; each further failure doubles it. */
  baseLockMs: number;
  maxLockMs: number;
}

export const DEFAULT_THROTTLE: ThrottleSettings = {
  freeFailures: 5,
  baseLockMs: 1000,
  maxLockMs: 15 * 60_000,
};

export interface SignInKeys {
  email: string;
  clientAddress: string | null;
}

const keysOf = (k: SignInKeys): string[] => [
  `account:${k.email.trim().toLowerCase()}`,
  ...(k.clientAddress ? [`client:${k.clientAddress}`] : []),
];

const rateLimited = (retryAfterMs: number, what: string) =>
  new DomainError("rate_limited", `too many failed sign-ins ${what}; try again later`, undefined, {
    retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
  });

/** Refuses (429 with the wait) while the account or the client address is locked; costs no hash. */
export async function assertSignInAllowed(ctx: ServiceContext, keys: SignInKeys): Promise<void> {
  const now = ctx.now();
  const locked = await ctx.prisma.signInThrottle.findFirst({
    where: { key: { in: keysOf(keys) }, lockedUntil: { gt: now } },
    orderBy: { lockedUntil: "desc" },
  });
  if (locked?.lockedUntil) {
    const what = locked.key.startsWith("account:") ? "for this account" : "from this address";
    throw rateLimited(locked.lockedUntil.getTime() - now.getTime(), what);
  }
}

/**
 * Counts a failed sign-in against the account and the client address (one statement per key, so
 * replicas never lose a count). Past `freeFailures` each failure locks the key for twice as long as
 * the one before, up to `maxLockMs`; every lock is written to the audit log.
 */
export async function recordSignInFailure(
  ctx: ServiceContext,
  keys: SignInKeys,
  settings: ThrottleSettings = DEFAULT_THROTTLE,
): Promise<void> {
  const now = ctx.now();
  for (const key of keysOf(keys)) {
    const [row] = await ctx.prisma.$queryRaw<{ failures: number; lockedUntil: Date | null }[]>`
      INSERT INTO "SignInThrottle" ("key", "failures", "lockedUntil", "updatedAt")
      VALUES (${key}, 1, NULL, ${now})
      ON CONFLICT ("key") DO UPDATE SET "failures" = "SignInThrottle"."failures" + 1, "updatedAt" = ${now},
        "lockedUntil" = CASE WHEN "SignInThrottle"."failures" + 1 > ${settings.freeFailures}
          THEN ${now}::timestamp + make_interval(secs => least(${settings.maxLockMs}::float8,
            ${settings.baseLockMs}::float8 * power(2, "SignInThrottle"."failures" - ${settings.freeFailures})) / 1000)
          ELSE NULL END
      RETURNING "failures", "lockedUntil"`;
    if (row?.lockedUntil) {
      const actor: Actor = { type: "user", id: null, name: keys.email };
      await recordAudit(ctx.prisma, {
        actor,
        action: "auth.sign_in_locked",
        targetType: key.startsWith("account:") ? "account" : "client",
        targetId: key.slice(key.indexOf(":") + 1),
        details: {
          failures: row.failures,
          lockedUntil: row.lockedUntil.toISOString(),
          clientAddress: keys.clientAddress,
        },
        at: now,
      });
    }
  }
}

/** A successful sign-in forgives the account's failures (the client address keeps its count). */
export async function clearSignInFailures(ctx: ServiceContext, email: string): Promise<void> {
  await ctx.prisma.signInThrottle.deleteMany({ where: { key: `account:${email.trim().toLowerCase()}` } });
}

/**
 * At most `limit` password hashes at once in this process, and at most `queue` waiting: each argon2id
 * check costs 19 MiB and a core for tens of milliseconds, so a flood of sign-ins must not take the
 * server's memory and event loop with it. Per process on purpose: it bounds this process's resources.
 */
export class HashLimiter {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly limit: number,
    private readonly queue: number,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.queue) throw rateLimited(1000, "in progress on this server");
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
