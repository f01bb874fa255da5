import {
  type ApiTokenInfo,
  apiErrorSchema,
  apiTokenSchema,
  type CreatedApiToken,
  type CreatedHost,
  type CreateHostBody,
  createdApiTokenSchema,
  createdHostSchema,
  type Health,
  type HostDetail,
  type HostSummary,
  healthSchema,
  hostDetailSchema,
  hostListSchema,
  hostSummarySchema,
  type SignInBody,
  type User,
  userSchema,
} from "@switchyard/protocol";
import { z } from "zod";
import { ApiRequestError, CliError } from "./errors";

export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Server root, no trailing slash: `http://localhost:3000`. */
  readonly baseUrl: string;
  readonly token?: string;
  readonly fetch: FetchFn;
  readonly timeoutMs?: number;
}

const apiTokenListSchema = z.object({ tokens: z.array(apiTokenSchema) });

const SESSION_COOKIE = "sy_session";

interface RequestOptions {
  readonly body?: unknown;
  readonly cookie?: string;
  /** Non-2xx statuses whose body is still a regular response (health answers 503 when degraded). */
  readonly alsoOk?: readonly number[];
}

/** The REST API under /api/v1; every response is parsed with its protocol schema. */
export class ApiClient {
  readonly baseUrl: string;
  readonly #token: string | undefined;
  readonly #fetch: FetchFn;
  readonly #timeoutMs: number;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl;
    this.#token = options.token;
    this.#fetch = options.fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Signs in with a password; returns the session cookie (`sy_session=...`) for one follow-up call. */
  async signIn(body: SignInBody): Promise<string> {
    const response = await this.#send("POST", "/auth/sign-in", { body });
    await this.#read(response, z.unknown());
    const cookie = response.headers
      .getSetCookie()
      .map((c) => c.split(";")[0]?.trim() ?? "")
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (!cookie) throw new CliError(`signed in, but the server set no ${SESSION_COOKIE} cookie`);
    return cookie;
  }

  createApiToken(name: string, sessionCookie: string): Promise<CreatedApiToken> {
    return this.#call("POST", "/tokens", createdApiTokenSchema, { body: { name }, cookie: sessionCookie });
  }

  /** Ends a sign-in session (login keeps only the API token it created). */
  async signOut(sessionCookie: string): Promise<void> {
    await this.#call("POST", "/auth/sign-out", z.unknown(), { cookie: sessionCookie });
  }

  me(): Promise<User> {
    return this.#call("GET", "/auth/me", userSchema);
  }

  /** Needs no token; a degraded server answers 503 with the same body. */
  health(): Promise<Health> {
    return this.#call("GET", "/health", healthSchema, { alsoOk: [503] });
  }

  async listApiTokens(): Promise<ApiTokenInfo[]> {
    return (await this.#call("GET", "/tokens", apiTokenListSchema)).tokens;
  }

  revokeApiToken(id: string): Promise<ApiTokenInfo> {
    return this.#call("DELETE", `/tokens/${encodeURIComponent(id)}`, apiTokenSchema);
  }

  async listHosts(): Promise<HostSummary[]> {
    return (await this.#call("GET", "/hosts", hostListSchema)).hosts;
  }

  getHost(idOrName: string): Promise<HostDetail> {
    return this.#call("GET", `/hosts/${encodeURIComponent(idOrName)}`, hostDetailSchema);
  }

  createHost(body: CreateHostBody): Promise<CreatedHost> {
    return this.#call("POST", "/hosts", createdHostSchema, { body });
  }

  /** A new one-time enrollment token for a host (older unused ones stop working). */
  issueEnrollmentToken(idOrName: string): Promise<CreatedHost> {
    return this.#call("POST", `/hosts/${encodeURIComponent(idOrName)}/enrollment-token`, createdHostSchema);
  }

  revokeHost(idOrName: string, reason?: string): Promise<HostSummary> {
    const body = reason === undefined ? {} : { reason };
    return this.#call("POST", `/hosts/${encodeURIComponent(idOrName)}/revoke`, hostSummarySchema, { body });
  }

  /** For command files: any endpoint, parsed with the given schema. */
  request<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    body?: unknown,
  ): Promise<z.output<S>> {
    return this.#call(method, path, schema, body === undefined ? {} : { body });
  }

  async #call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    options: RequestOptions = {},
  ): Promise<z.output<S>> {
    return this.#read(await this.#send(method, path, options), schema, options.alsoOk);
  }

  async #send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const url = `${this.baseUrl}/api/v1${path}`;
    const headers: Record<string, string> = { accept: "application/json" };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.cookie) headers.cookie = options.cookie;
    else if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    try {
      return await this.#fetch(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new CliError(`cannot reach ${this.baseUrl}: ${describeFetchError(error)}`);
    }
  }

  async #read<S extends z.ZodType>(
    response: Response,
    schema: S,
    alsoOk: readonly number[] = [],
  ): Promise<z.output<S>> {
    const text = await response.text();
    let body: unknown;
    try {
      body = text === "" ? null : JSON.parse(text);
    } catch {
      throw new CliError(
        `unexpected ${response.status} response from ${response.url || this.baseUrl}: not JSON (${text.slice(0, 80)})`,
      );
    }
    if (!response.ok && !alsoOk.includes(response.status)) throw toApiError(response.status, body);
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
      throw new CliError(
        `unexpected response from the server${where}: ${issue?.message ?? "invalid"} (is the CLI the same version as the server?)`,
      );
    }
    return parsed.data;
  }
}

function toApiError(status: number, body: unknown): ApiRequestError {
  const parsed = apiErrorSchema.safeParse(body);
  const hint =
    status === 401
      ? "unauthorized: the server rejected the credentials; run `yardctl login` or check YARD_TOKEN"
      : undefined;
  if (parsed.success) {
    const { code, message, field } = parsed.data.error;
    return new ApiRequestError(status, code, message, field, hint);
  }
  return new ApiRequestError(status, "internal", `HTTP ${status} with no error body`, undefined, hint);
}

function describeFetchError(error: unknown): string {
  if (error instanceof Error) {
    if (error.name === "TimeoutError") return "request timed out";
    const cause = error.cause;
    if (cause instanceof Error && cause.message) return cause.message;
    return error.message;
  }
  return String(error);
}
