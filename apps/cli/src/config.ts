import { chmod, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { z } from "zod";
import { CliError, UsageError } from "./errors";

/** What `yardctl login` saves. */
const cliConfigFileSchema = z.object({
  url: z.string().optional(),
  token: z.string().optional(),
  /** The saved token's id, so `logout` can revoke it. */
  tokenId: z.string().optional(),
});
export type CliConfigFile = z.infer<typeof cliConfigFileSchema>;

type ConfigSource = "env" | "file" | "none";

/** The configuration after env and file are merged, resolved once at start. */
export interface ResolvedConfig {
  /** Where the file lives (whether or not it exists). */
  readonly path: string;
  readonly url: string | undefined;
  readonly token: string | undefined;
  readonly urlSource: ConfigSource;
  readonly tokenSource: ConfigSource;
  /** The id of the saved token, when the token in use is the saved one. */
  readonly savedTokenId: string | undefined;
  /** Set when the file exists but cannot be read or parsed. */
  readonly fileError: string | undefined;
}

export type Env = Readonly<Record<string, string | undefined>>;

/** `$XDG_CONFIG_HOME/switchyard/cli.json`, `~/.config/switchyard/cli.json` when XDG_CONFIG_HOME is unset. */
export function configPath(env: Env, homedir: string): string {
  const xdg = env.XDG_CONFIG_HOME;
  const base = xdg?.startsWith("/") ? xdg : join(homedir, ".config");
  return join(base, "switchyard", "cli.json");
}

/** YARD_URL and YARD_TOKEN override the file, field by field. */
export async function resolveConfig(env: Env, homedir: string): Promise<ResolvedConfig> {
  const path = configPath(env, homedir);
  let file: CliConfigFile = {};
  let fileError: string | undefined;
  try {
    const parsed = cliConfigFileSchema.safeParse(JSON.parse(await readFile(path, "utf8")));
    if (parsed.success) file = parsed.data;
    else fileError = `${path} is not a valid yardctl config`;
  } catch (error) {
    if (!isNotFound(error))
      fileError = `cannot read ${path}: ${error instanceof Error ? error.message : error}`;
  }
  const envUrl = nonEmpty(env.YARD_URL);
  const envToken = nonEmpty(env.YARD_TOKEN);
  return {
    path,
    url: envUrl ?? nonEmpty(file.url),
    token: envToken ?? nonEmpty(file.token),
    urlSource: envUrl ? "env" : file.url ? "file" : "none",
    tokenSource: envToken ? "env" : file.token ? "file" : "none",
    savedTokenId: envToken ? undefined : file.tokenId,
    fileError,
  };
}

/** Writes the file atomically with mode 0600 (its directory 0700): it holds a secret. */
export async function saveConfig(path: string, config: CliConfigFile): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
    await chmod(tmp, 0o600);
    await rename(tmp, path);
  } catch (error) {
    throw new CliError(`cannot write ${path}: ${error instanceof Error ? error.message : error}`);
  }
}

/** Drops the token (keeps the URL for the next login). Returns false when no token was saved. */
export async function removeSavedToken(path: string): Promise<boolean> {
  let file: CliConfigFile;
  try {
    file = cliConfigFileSchema.parse(JSON.parse(await readFile(path, "utf8")));
  } catch (error) {
    if (isNotFound(error)) return false;
    throw new CliError(`cannot read ${path}: ${error instanceof Error ? error.message : error}`);
  }
  if (file.token === undefined) return false;
  await saveConfig(path, file.url === undefined ? {} : { url: file.url });
  return true;
}

/** Checks a server URL and drops a trailing slash: `http://host:3000/` -> `http://host:3000`. */
export function normalizeServerUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`not a URL: '${raw}' (expected e.g. http://localhost:3000)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`URL must start with http:// or https://, got '${raw}'`);
  }
  return url.toString().replace(/\/+$/, "");
}

function nonEmpty(value: string | undefined): string | undefined {
  return value && value.trim() !== "" ? value.trim() : undefined;
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}
