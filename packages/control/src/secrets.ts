import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Prefixes make a leaked secret recognisable (and greppable by secret scanners). */
export const SecretPrefix = {
  session: "sys_",
  apiToken: "syt_",
  enrollment: "sye_",
  hostCredential: "syh_",
  invite: "syi_",
} as const;

/** A random secret: prefix + 32 random bytes, base64url. */
export function generateSecret(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString("base64url")}`;
}

/** Only this digest is stored; the secret itself never touches the database. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

export function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

/** A password a human can type once: 20 characters of base64url. */
export function generatePassword(): string {
  return randomBytes(15).toString("base64url");
}
