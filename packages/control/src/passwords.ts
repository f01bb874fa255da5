import { hash, verify } from "@node-rs/argon2";

/** argon2id with the library's defaults (19 MiB, 2 passes), as OWASP recommends. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/** Spends the time of a real verification so unknown e-mails and wrong passwords take as long. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword("switchyard-timing-equaliser");
  await verifyPassword(await dummyHash, password);
}
