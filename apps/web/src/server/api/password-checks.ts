import type { SignInKeys } from "@switchyard/control";
import {
  assertSignInAllowed,
  HashLimiter,
  recordSignInFailure,
  type ServiceContext,
} from "@switchyard/control";

/** Password checks of this process: two at a time (the machine's cores), 64 waiting, the rest a 429. */
const hashes = new HashLimiter(2, 64);

/**
 * Runs a password check (sign-in, or the current password of a password change) under the sign-in
 * throttle of the account and the client address and the process's bound on hashes: a stolen
 * session must not turn the password-change route into an unthrottled guessing oracle. `failed`
 * tells a wrong password from other errors; only those are counted.
 */
export async function checkPassword<T>(
  services: ServiceContext,
  keys: SignInKeys,
  check: () => Promise<T>,
  failed: (err: unknown) => boolean,
): Promise<T> {
  await assertSignInAllowed(services, keys);
  // Checked again once a hash slot is free: failures recorded while this one waited may lock it.
  return hashes
    .run(async () => {
      await assertSignInAllowed(services, keys);
      return check();
    })
    .catch(async (err: unknown) => {
      if (failed(err)) await recordSignInFailure(services, keys);
      throw err;
    });
}
