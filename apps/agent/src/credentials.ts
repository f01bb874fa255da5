import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";

/** What the agent keeps after enrolling: the long-lived host credential and whom it belongs to. */
const storedCredentialSchema = z.object({
  server: z.string(),
  hostId: z.string(),
  hostName: z.string(),
  credential: z.string().min(1),
  enrolledAt: z.string(),
});
export type StoredCredential = z.infer<typeof storedCredentialSchema>;

/** The stored credential, or null when the file does not exist. A corrupt file is an error, not a re-enroll. */
export async function readCredential(path: string): Promise<StoredCredential | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new Error(`cannot read credential file ${path}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`credential file ${path} is not JSON; remove it and enroll again with a new token`);
  }
  const parsed = storedCredentialSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`credential file ${path} is invalid; remove it and enroll again with a new token`);
  }
  return parsed.data;
}

/**
 * Writes the credential with mode 0600, atomically: a temporary file in the same directory, then rename.
 * Missing directories are created (mode 0700).
 */
export async function writeCredential(path: string, credential: StoredCredential): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(credential, null, 2)}\n`, { mode: 0o600, flag: "wx" });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}
