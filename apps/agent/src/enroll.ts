import {
  apiErrorSchema,
  type EnrollResponse,
  enrollBodySchema,
  enrollResponseSchema,
} from "@switchyard/protocol";
import { backoffDelay, sleep } from "./backoff";
import { readCredential, type StoredCredential, writeCredential } from "./credentials";
import { ExitCode, FatalError } from "./exit-codes";
import type { Logger } from "./logger";

export interface AgentIdentity {
  agentVersion: string;
  protocolVersion: number;
}

export type FetchFn = (url: string, init: RequestInit) => Promise<Response>;

export interface EnrollInput extends AgentIdentity {
  server: string;
  token: string;
  hostname: string;
  fetch?: FetchFn;
  timeoutMs?: number;
  /** Aborts the request (agent stopping). */
  signal?: AbortSignal;
}

/** The server could not be reached or failed (5xx): worth retrying. Refusals are FatalErrors instead. */
export class EnrollUnavailable extends Error {
  override name = "EnrollUnavailable";
}

/**
 * POST /api/v1/agent/enroll: exchanges a one-time token for a host credential. Throws FatalError for a
 * refusal (exit 3 protocol mismatch, 4 token refused, 2 invalid input) and EnrollUnavailable when a retry
 * may help.
 */
export async function enroll(input: EnrollInput): Promise<EnrollResponse> {
  const url = `${input.server}/api/v1/agent/enroll`;
  const body = enrollBodySchema.parse({
    token: input.token,
    protocolVersion: input.protocolVersion,
    agentVersion: input.agentVersion,
    hostname: input.hostname,
  });
  const doFetch = input.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.any([
        AbortSignal.timeout(input.timeoutMs ?? 15_000),
        ...(input.signal ? [input.signal] : []),
      ]),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new EnrollUnavailable(`cannot reach ${url}: ${cause ?? (error as Error).message}`);
  }
  const text = await res.text().catch(() => "");
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: handled below
  }
  if (res.ok) {
    const parsed = enrollResponseSchema.safeParse(json);
    if (!parsed.success) {
      throw new FatalError(
        ExitCode.failure,
        `${url} answered ${res.status} without an enrollment; is ${input.server} a Switchyard control plane?`,
      );
    }
    return parsed.data;
  }
  const apiError = apiErrorSchema.safeParse(json);
  const message = apiError.success
    ? apiError.data.error.message
    : `HTTP ${res.status} ${text.slice(0, 200)}`.trim();
  const code = apiError.success ? apiError.data.error.code : null;
  if (res.status >= 500 || res.status === 429 || res.status === 408) {
    throw new EnrollUnavailable(`enrollment failed with HTTP ${res.status}: ${message}`);
  }
  if (res.status === 426 || code === "protocol_mismatch") {
    const server = apiError.success ? apiError.data.error.details?.serverProtocolVersion : undefined;
    throw new FatalError(
      ExitCode.protocolMismatch,
      `protocol version mismatch: this agent speaks protocol ${input.protocolVersion}` +
        `${typeof server === "number" ? `, the control plane speaks ${server}` : ""}; upgrade to matching releases (${message})`,
    );
  }
  if (res.status === 400 || res.status === 422) {
    throw new FatalError(ExitCode.usage, `enrollment rejected as invalid: ${message}`);
  }
  throw new FatalError(
    ExitCode.refused,
    `enrollment token refused (HTTP ${res.status}): ${message}; create a new token on the control plane`,
  );
}

export interface ObtainCredentialInput {
  server: string;
  token: string | null;
  credentialFile: string;
  hostname: string;
  identity: AgentIdentity;
  logger: Logger;
  fetch?: FetchFn;
  signal?: AbortSignal;
  now?: () => Date;
  random?: () => number;
}

/**
 * The host credential: from the credential file when it exists, else by enrolling with the token (retrying
 * with backoff while the server is unreachable) and storing the result (0600). Resolves null when
 * `signal` aborted the wait.
 */
export async function obtainCredential(input: ObtainCredentialInput): Promise<StoredCredential | null> {
  const stored = await readCredential(input.credentialFile);
  if (stored) {
    if (stored.server !== input.server) {
      input.logger.warn("credential file was issued by another server URL; using it anyway", {
        credentialFile: input.credentialFile,
        issuedBy: stored.server,
        server: input.server,
      });
    }
    input.logger.info("using stored host credential", {
      credentialFile: input.credentialFile,
      hostId: stored.hostId,
    });
    return stored;
  }
  if (!input.token) {
    throw new FatalError(
      ExitCode.usage,
      `not enrolled yet: no credential file at ${input.credentialFile}; pass --token TOKEN (an enrollment token from the control plane)`,
    );
  }
  for (let attempt = 0; ; attempt++) {
    try {
      const enrolled = await enroll({
        server: input.server,
        token: input.token,
        hostname: input.hostname,
        ...input.identity,
        fetch: input.fetch,
        signal: input.signal,
      });
      const credential: StoredCredential = {
        server: input.server,
        hostId: enrolled.hostId,
        hostName: enrolled.hostName,
        credential: enrolled.credential,
        enrolledAt: (input.now ?? (() => new Date()))().toISOString(),
      };
      try {
        await writeCredential(input.credentialFile, credential);
      } catch (error) {
        throw new FatalError(
          ExitCode.failure,
          `enrolled as host ${enrolled.hostName} but cannot write ${input.credentialFile}: ${(error as Error).message}`,
        );
      }
      input.logger.info("enrolled", {
        hostId: enrolled.hostId,
        host: enrolled.hostName,
        credentialFile: input.credentialFile,
      });
      return credential;
    } catch (error) {
      if (input.signal?.aborted) return null;
      if (!(error instanceof EnrollUnavailable)) throw error;
      const delayMs = backoffDelay(attempt, undefined, input.random);
      input.logger.warn("enrollment failed, retrying", {
        error: error.message,
        attempt: attempt + 1,
        delayMs,
      });
      if (!(await sleep(delayMs, input.signal))) return null;
    }
  }
}
