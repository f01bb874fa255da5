import {
  type AnyApiRoute,
  apiErrorSchema,
  apiRoutes,
  buildRequest,
  type CallArgs,
  type CallInput,
  type RouteResponse,
  readResponse,
} from "@switchyard/protocol";
import { ApiRequestError, CliError } from "./errors";

export type FetchFn = (url: string, init?: RequestInit) => Promise<Response>;

export interface ApiClientOptions {
  /** Server root, no trailing slash: `http://localhost:3000`. */
  readonly baseUrl: string;
  readonly token?: string;
  readonly fetch: FetchFn;
  readonly timeoutMs?: number;
}

const SESSION_COOKIE = "sy_session";

interface CallOptions {
  /** Authenticate with this session cookie instead of the token (login's one follow-up call). */
  readonly cookie?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The REST API: every call is an entry of protocol's contract table, its answer parsed with the entry's schema. */
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
  async signIn(body: { email: string; password: string }): Promise<string> {
    const { response } = await this.#exchange(apiRoutes.signIn, { body });
    const cookie = response.headers
      .getSetCookie()
      .map((c) => c.split(";")[0]?.trim() ?? "")
      .find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    if (!cookie) throw new CliError(`signed in, but the server set no ${SESSION_COOKIE} cookie`);
    return cookie;
  }

  /** One route of the contract table. */
  async call<R extends AnyApiRoute>(
    route: R,
    ...[input, options]: CallArgs<R, [options?: CallOptions]>
  ): Promise<RouteResponse<R>> {
    return (await this.#exchange(route, (input ?? {}) as CallInput<R>, options)).value;
  }

  async #exchange<R extends AnyApiRoute>(
    route: R,
    input: CallInput<R>,
    options: CallOptions = {},
  ): Promise<{ value: RouteResponse<R>; response: Response }> {
    const request = buildRequest(route, input);
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (request.body !== undefined) headers["content-type"] = "application/json";
    if (options.cookie) headers.cookie = options.cookie;
    else if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    let response: Response;
    try {
      response = await this.#fetch(`${this.baseUrl}${request.path}`, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      throw new CliError(`cannot reach ${this.baseUrl}: ${describeFetchError(error)}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      throw new CliError(
        `unexpected ${response.status} response from ${response.url || this.baseUrl}: not JSON (${text.slice(0, 80)})`,
      );
    }
    const out = readResponse(route, response.status, json);
    if (out.ok) return { value: out.value, response };
    if (out.code === "bad_response") {
      throw new CliError(`${out.message} (is the CLI the same version as the server?)`);
    }
    throw toApiError(response.status, json);
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
