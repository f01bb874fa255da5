/**
 * OVSDB's JSON-RPC (RFC 7047) sends JSON texts back to back with no delimiter and no length prefix, so a
 * message ends where its outermost object closes. This scanner tracks nesting depth and whether it is
 * inside a string (and after a backslash there), so braces inside strings never end a message. It scans
 * bytes, not characters: every byte it looks for is ASCII, and UTF-8 never uses ASCII bytes inside a
 * multi-byte character, so chunks may split a message, or a character, anywhere.
 */
export class JsonStreamSplitter {
  /** Bytes of the message in progress, from earlier chunks. */
  private pending: Buffer[] = [];
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** Feeds bytes; returns every message completed by them, parsed. Throws on text that is not JSON. */
  push(input: Buffer | string): unknown[] {
    const chunk = typeof input === "string" ? Buffer.from(input, "utf8") : input;
    const out: unknown[] = [];
    let { depth, inString, escaped } = this;
    let start = this.pending.length > 0 ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i] as number;
      if (inString) {
        if (escaped) escaped = false;
        else if (ch === 0x5c /* \ */) escaped = true;
        else if (ch === 0x22 /* " */) inString = false;
        continue;
      }
      if (ch === 0x22) {
        inString = true;
      } else if (ch === 0x7b /* { */ || ch === 0x5b /* [ */) {
        if (depth === 0) start = i;
        depth++;
      } else if (ch === 0x7d /* } */ || ch === 0x5d /* ] */) {
        depth--;
        if (depth < 0) throw new Error("ovsdb: unbalanced JSON from the server");
        if (depth === 0) {
          const piece = chunk.subarray(start, i + 1);
          const whole = this.pending.length > 0 ? Buffer.concat([...this.pending, piece]) : piece;
          this.pending = [];
          out.push(JSON.parse(whole.toString("utf8")));
          start = -1;
        }
      } else if (depth === 0 && ch !== 0x20 && ch !== 0x0a && ch !== 0x0d && ch !== 0x09) {
        throw new Error(`ovsdb: unexpected ${JSON.stringify(String.fromCharCode(ch))} between messages`);
      }
    }
    if (depth > 0 && start >= 0) this.pending.push(chunk.subarray(start));
    this.depth = depth;
    this.inString = inString;
    this.escaped = escaped;
    return out;
  }
}
