import type { IncomingMessage, ServerResponse } from "node:http";

/** The largest request body the server reads (API bodies are small; this bounds memory per request). */
const MAX_BODY_BYTES = 1_000_000;

/** A body over MAX_BODY_BYTES: answered 413 and the connection closed (the rest of the body is not read). */
export class BodyTooLargeError extends Error {
  constructor() {
    super(`request body is larger than ${MAX_BODY_BYTES} bytes`);
    this.name = "BodyTooLargeError";
  }
}

/** A WHATWG Request from a node request (the body is read fully; API bodies are small). */
export async function toWebRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else headers.set(name, value);
  }
  const method = req.method ?? "GET";
  let body: Buffer | undefined;
  if (method !== "GET" && method !== "HEAD") {
    if (Number(req.headers["content-length"] ?? 0) > MAX_BODY_BYTES) throw new BodyTooLargeError();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > MAX_BODY_BYTES) throw new BodyTooLargeError();
      chunks.push(buf);
    }
    body = Buffer.concat(chunks);
  }
  return new Request(new URL(req.url ?? "/", origin), {
    method,
    headers,
    ...(body && body.length > 0 ? { body: new Uint8Array(body) } : {}),
  });
}

/** Writes a WHATWG Response to a node response, keeping every Set-Cookie header. */
export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  const body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
  if (body) res.setHeader("content-length", body.length);
  res.end(body);
}
