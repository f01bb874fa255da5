/**
 * A small client of the public REST API (/api/v1) with an API token, for tests and benchmarks that drive
 * a real control plane. Bodies are parsed with the protocol schemas, so a response that drifts from the
 * protocol fails loudly.
 */
import {
  type AnyApiRoute,
  type Attachment,
  type AttachmentOperation,
  apiRoutes,
  buildRequest,
  type CallInput,
  type CreateNetworkInput,
  type HostDetail,
  type Network,
  type Operation,
  type RouteResponse,
  readResponse,
} from "@switchyard/protocol";

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

async function send(
  baseUrl: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
) {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
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
  return { res, parsed };
}

/** One route of the contract table, its answer parsed with the route's schema; throws ApiError otherwise. */
async function callRoute<R extends AnyApiRoute>(
  baseUrl: string,
  headers: Record<string, string>,
  route: R,
  input: CallInput<R>,
): Promise<{ value: RouteResponse<R>; res: Response }> {
  const request = buildRequest(route, input);
  const { res, parsed } = await send(baseUrl, request.method, request.path, headers, request.body);
  const out = readResponse(route, res.status, parsed);
  if (!out.ok) throw new ApiError(request.method, request.path, res.status, parsed);
  return { value: out.value, res };
}

/** Signs in with e-mail and password and creates an API token (what `yardctl login` does). */
export async function createAdminToken(baseUrl: string, email: string, password: string): Promise<string> {
  const { res } = await callRoute(baseUrl, {}, apiRoutes.signIn, { body: { email, password } });
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const body = { name: `test-${process.pid}-${Date.now()}` };
  return (await callRoute(baseUrl, { cookie }, apiRoutes.createToken, { body })).value.token;
}

export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token: string,
  ) {}

  /** Any path, unparsed: for tests of what the contract does not allow. */
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const { res, parsed } = await send(
      this.baseUrl,
      method,
      path,
      { authorization: `Bearer ${this.token}` },
      body,
    );
    if (!res.ok) throw new ApiError(method, path, res.status, parsed);
    return parsed;
  }

  async call<R extends AnyApiRoute>(route: R, input: CallInput<R>): Promise<RouteResponse<R>> {
    return (await callRoute(this.baseUrl, { authorization: `Bearer ${this.token}` }, route, input)).value;
  }

  host(idOrName: string): Promise<HostDetail> {
    return this.call(apiRoutes.getHost, { params: { id: idOrName } });
  }

  createNetwork(body: CreateNetworkInput): Promise<Network> {
    return this.call(apiRoutes.createNetwork, { body });
  }

  deleteNetwork(idOrName: string): Promise<Network> {
    return this.call(apiRoutes.deleteNetwork, { params: { id: idOrName }, body: {} });
  }

  attach(body: CallInput<typeof apiRoutes.attach>["body"]): Promise<AttachmentOperation> {
    return this.call(apiRoutes.attach, { body });
  }

  detach(attachmentId: string): Promise<AttachmentOperation> {
    return this.call(apiRoutes.detach, { params: { id: attachmentId }, body: {} });
  }

  attachment(id: string): Promise<Attachment> {
    return this.call(apiRoutes.getAttachment, { params: { id } });
  }

  async attachments(query: CallInput<typeof apiRoutes.listAttachments>["query"] = {}): Promise<Attachment[]> {
    return (await this.call(apiRoutes.listAttachments, { query })).attachments;
  }

  operation(id: string): Promise<Operation> {
    return this.call(apiRoutes.getOperation, { params: { id } });
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
