import type { IncomingMessage, ServerResponse } from "node:http";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";

const gzip = promisify(gzipCallback);

/** Answers smaller than this go as they are: compressing them costs more than it saves. */
const COMPRESS_MIN_BYTES = 8_192;

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

/**
 * Writes a WHATWG Response to a node response, keeping every Set-Cookie header. A large JSON or text
 * answer is gzipped (off the event loop) for a client that accepts it: a fleet's map summary or a
 * topology shrinks about tenfold.
 */
export async function sendWebResponse(
  res: ServerResponse,
  response: Response,
  acceptEncoding: string | undefined = undefined,
): Promise<void> {
  res.statusCode = response.status;
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  let body = response.body ? Buffer.from(await response.arrayBuffer()) : undefined;
  const type = response.headers.get("content-type") ?? "";
  if (body && body.length >= COMPRESS_MIN_BYTES && /json|text/.test(type) && acceptsGzip(acceptEncoding)) {
    body = await gzip(body, { level: 6 });
    res.setHeader("content-encoding", "gzip");
    res.setHeader("vary", "accept-encoding");
  }
  if (body) res.setHeader("content-length", body.length);
  res.end(body);
}

/** `gzip` listed and not refused with q=0 (RFC 9110 §12.5.3). */
function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding !== "gzip" && coding !== "*") return false;
    return !params.some((p) => /^\s*q=0(\.0*)?\s*$/.test(p));
  });
}
