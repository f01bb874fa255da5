import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { JsonStreamSplitter, OvsdbClient } from "../src/ovsdb";

describe("JsonStreamSplitter (RFC 7047 framing: concatenated JSON, no delimiter)", () => {
  const messages = [
    { id: 1, result: [{ rows: [{ name: "a{b}c", note: 'quote " and \\ backslash }' }] }], error: null },
    { method: "echo", params: [], id: "echo" },
    { method: "update", params: ["m", { Port: { u1: { new: { name: "ü€𝄞", tag: 100 } } } }], id: null },
  ];
  const text = `${messages.map((m) => JSON.stringify(m)).join("\n ")}  `;

  it("splits messages back to back, whatever is inside strings", () => {
    expect(new JsonStreamSplitter().push(text)).toEqual(messages);
  });

  it("gives the same messages when the bytes arrive split at every position", () => {
    const bytes = Buffer.from(text, "utf8");
    for (let cut = 1; cut < bytes.length; cut++) {
      const s = new JsonStreamSplitter();
      const got = [...s.push(bytes.subarray(0, cut)), ...s.push(bytes.subarray(cut))];
      expect(got, `cut at ${cut}`).toEqual(messages);
    }
  });

  it("gives the same messages byte by byte", () => {
    const s = new JsonStreamSplitter();
    const got: unknown[] = [];
    for (const byte of Buffer.from(text, "utf8")) got.push(...s.push(Buffer.from([byte])));
    expect(got).toEqual(messages);
  });

  it("refuses text between messages", () => {
    expect(() => new JsonStreamSplitter().push('{"a":1} x')).toThrow(/unexpected "x"/);
  });
});

describe("OvsdbClient against a scripted server", () => {
  const dir = mkdtempSync(join(tmpdir(), "sy-ovsdb-unit-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answers the server's echo with its params, and matches replies to requests by id", async () => {
    const path = join(dir, "s1.sock");
    const seen: unknown[] = [];
    let peer: Socket | null = null;
    const server = createServer((socket) => {
      peer = socket;
      const splitter = new JsonStreamSplitter();
      let pendingReply = "";
      socket.on("data", (chunk) => {
        for (const m of splitter.push(chunk) as { id: unknown; method?: string; params?: unknown[] }[]) {
          seen.push(m);
          if (m.method === "list_dbs") {
            // The reply waits for the client's answer to the echo, and then comes split in two writes.
            pendingReply = JSON.stringify({ id: m.id, result: ["Open_vSwitch"], error: null });
            socket.write(JSON.stringify({ method: "echo", params: ["ping", 7], id: "e1" }));
          } else if (m.id === "e1" && pendingReply) {
            socket.write(pendingReply.slice(0, 5));
            setTimeout(() => socket.write(pendingReply.slice(5)), 20);
          }
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    const client = await OvsdbClient.connect(`unix:${path}`);
    try {
      expect(await client.listDbs()).toEqual(["Open_vSwitch"]);
      expect(seen).toContainEqual({ id: "e1", result: ["ping", 7], error: null });
      expect(peer).not.toBeNull();
    } finally {
      client.close();
      server.close();
    }
  });

  it("rejects a request with the server's error, and every pending request when the connection drops", async () => {
    const path = join(dir, "s2.sock");
    const server = createServer((socket) => {
      const splitter = new JsonStreamSplitter();
      socket.on("data", (chunk) => {
        for (const m of splitter.push(chunk) as { id: number; method: string }[]) {
          if (m.method === "transact")
            socket.write(JSON.stringify({ id: m.id, result: null, error: { error: "unknown database" } }));
          if (m.method === "monitor") socket.destroy();
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(path, resolve));
    const client = await OvsdbClient.connect(`unix:${path}`);
    try {
      await expect(client.select("Nope", "Bridge")).rejects.toThrow(/transact: unknown database/);
      await expect(client.monitor("Nope", "m", {}, () => {})).rejects.toThrow(
        /connection closed during monitor/,
      );
      expect(client.closed).toBe(true);
    } finally {
      client.close();
      server.close();
    }
  });

  it("says which database it could not reach, in ovs-vsctl's words", async () => {
    await expect(OvsdbClient.connect(`unix:${join(dir, "absent.sock")}`)).rejects.toThrow(
      /OVS database unix:.*absent\.sock: database connection failed \(.*ENOENT/,
    );
  });
});
