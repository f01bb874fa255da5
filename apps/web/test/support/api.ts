/**
 * A small client of the public REST API (/api/v1) with an API token, for tests and benchmarks that drive
 * a real control plane. Bodies are parsed with the protocol schemas, so a response that drifts from the
 * protocol fails loudly.
 */
import {
  type Attachment,
  type AttachmentOperation,
  attachmentListSchema,
  attachmentOperationSchema,
  attachmentSchema,
  type CreateNetworkInput,
  type HostDetail,
  hostDetailSchema,
  type Network,
  networkSchema,
  type Operation,
  operationSchema,
} from "@switchyard/protocol";
import type { z } from "zod";

class ApiError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`${method} ${path}: HTTP ${status} ${JSON.stringify(body)}`);
    this.name = "ApiError";
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Signs in with e-mail and password and creates an API token (what `yardctl login` does). */
export async function createAdminToken(baseUrl: string, email: string, password: string): Promise<string> {
  const signIn = await fetch(`${baseUrl}/api/v1/auth/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (!signIn.ok) throw new ApiError("POST", "/api/v1/auth/sign-in", signIn.status, await signIn.text());
  const cookie = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const created = await fetch(`${baseUrl}/api/v1/tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ name: `test-${process.pid}-${Date.now()}` }),
  });
  const body = (await created.json()) as { token?: string };
  if (!created.ok || typeof body.token !== "string")
    throw new ApiError("POST", "/api/v1/tokens", created.status, body);
  return body.token;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text for the error
    }
    if (!res.ok) throw new ApiError(method, path, res.status, parsed);
    return parsed;
  }

  private async parsed<S extends z.ZodType>(
    schema: S,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<z.output<S>> {
    return schema.parse(await this.request(method, path, body));
  }

  host(idOrName: string): Promise<HostDetail> {
    return this.parsed(hostDetailSchema, "GET", `/api/v1/hosts/${encodeURIComponent(idOrName)}`);
  }

  createNetwork(body: CreateNetworkInput): Promise<Network> {
    return this.parsed(networkSchema, "POST", "/api/v1/networks", body);
  }

  deleteNetwork(idOrName: string): Promise<unknown> {
    return this.request("DELETE", `/api/v1/networks/${encodeURIComponent(idOrName)}`);
  }

  attach(body: {
    host: string;
    container: string | { runtime: "docker" | "netns"; ref: string };
    network: string;
    address?: string;
    ifname?: string;
    setDefaultRoute?: boolean;
    mac?: string;
  }): Promise<AttachmentOperation> {
    return this.parsed(attachmentOperationSchema, "POST", "/api/v1/attachments", body);
  }

  detach(attachmentId: string): Promise<AttachmentOperation> {
    return this.parsed(attachmentOperationSchema, "DELETE", `/api/v1/attachments/${attachmentId}`);
  }

  attachment(id: string): Promise<Attachment> {
    return this.parsed(attachmentSchema, "GET", `/api/v1/attachments/${id}`);
  }

  async attachments(query = ""): Promise<Attachment[]> {
    return (await this.parsed(attachmentListSchema, "GET", `/api/v1/attachments${query}`)).attachments;
  }

  operation(id: string): Promise<Operation> {
    return this.parsed(operationSchema, "GET", `/api/v1/operations/${id}`);
  }

  /** Polls an operation until it is applied or failed; throws on timeout (with its last state). */
  async waitOperation(id: string, timeoutMs = 30_000, intervalMs = 50): Promise<Operation> {
    const deadline = Date.now() + timeoutMs;
    let last: Operation | null = null;
    while (Date.now() < deadline) {
      last = await this.operation(id);
      if (last.status === "applied" || last.status === "failed") return last;
      await sleep(intervalMs);
    }
    throw new Error(`operation ${id} not finished within ${timeoutMs} ms: ${JSON.stringify(last)}`);
  }

  /** Attaches and waits for the operation; throws when it failed. */
  async attachAndWait(body: Parameters<Api["attach"]>[0], timeoutMs?: number): Promise<Attachment> {
    const { attachment, operation } = await this.attach(body);
    const done = await this.waitOperation(operation.id, timeoutMs);
    if (done.status !== "applied")
      throw new Error(`attach ${JSON.stringify(body)} failed: ${done.error ?? done.status}`);
    return this.attachment(attachment.id);
  }

  /** Detaches and waits for the operation; throws when it failed. */
  async detachAndWait(attachmentId: string, timeoutMs?: number): Promise<Operation> {
    const { operation } = await this.detach(attachmentId);
    const done = await this.waitOperation(operation.id, timeoutMs);
    if (done.status !== "applied")
      throw new Error(`detach ${attachmentId} failed: ${done.error ?? done.status}`);
    return done;
  }

  /** Waits until the host is online and its control plane has an inventory from it. */
  async waitHostReady(idOrName: string, timeoutMs = 30_000): Promise<HostDetail> {
    const deadline = Date.now() + timeoutMs;
    let last: HostDetail | null = null;
    while (Date.now() < deadline) {
      last = await this.host(idOrName).catch(() => null);
      if (last?.status === "online" && last.inventoryReceivedAt) return last;
      await sleep(100);
    }
    throw new Error(`host ${idOrName} not ready within ${timeoutMs} ms: ${last?.status ?? "unknown"}`);
  }
}
