import { StringDecoder } from "node:string_decoder";

/**
 * OVSDB's JSON-RPC (RFC 7047) sends JSON texts back to back with no delimiter and no length prefix, so a
 * message ends where its outermost object closes. This scanner tracks nesting depth and whether it is
 * inside a string (and after a backslash there), so braces inside strings never end a message. Chunks may
 * split a message, or a multi-byte UTF-8 character, anywhere.
 */
export class JsonStreamSplitter {
  private readonly decoder = new StringDecoder("utf8");
  private buffer = "";
  /** Where the scan resumes in `buffer` (everything before it belongs to the current message). */
  private pos = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Feeds bytes; returns every message completed by them, parsed. Throws on text that is not JSON. */
  push(chunk: Buffer | string): unknown[] {
    this.buffer += typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    const out: unknown[] = [];
    let start = 0;
    for (let i = this.pos; i < this.buffer.length; i++) {
      const ch = this.buffer.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === 0x5c /* \ */) this.escaped = true;
        else if (ch === 0x22 /* " */) this.inString = false;
        continue;
      }
      if (ch === 0x22) {
        this.inString = true;
      } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
        if (this.depth === 0) start = i;
        this.depth++;
      } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
        this.depth--;
        if (this.depth < 0) throw new Error("ovsdb: unbalanced JSON from the server");
        if (this.depth === 0) {
          out.push(JSON.parse(this.buffer.slice(start, i + 1)));
          start = i + 1;
        }
      } else if (this.depth === 0 && !isSpace(ch)) {
        throw new Error(`ovsdb: unexpected ${JSON.stringify(this.buffer[i])} between messages`);
      }
    }
    if (this.depth === 0) {
      this.buffer = "";
      this.pos = 0;
    } else {
      this.buffer = this.buffer.slice(start);
      this.pos = this.buffer.length;
    }
    return out;
  }
}

function isSpace(ch: number): boolean {
  return ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09;
}
